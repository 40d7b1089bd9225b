import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { identityId } from '../database/identityId';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { retireUnseen } from './retireUnseen';
import { writeDiscoveries } from './writeDiscoveries';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A migrated database and a batch writer for source `src`. */
async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const resolveOwnership = OwnershipResolver.create({ fallbackOwner: 'group:default/security' }).resolve;
  const write = (scanId: string, now: string, list: ReturnType<typeof discovery>[], inputVersion?: string) =>
    writeDiscoveries(stores, { scanId, sourceId: 'src', discoveries: list, now, resolveOwnership, inputVersion });
  return { knex, stores, write };
}

const applySightings = (stores: Awaited<ReturnType<typeof DatabaseInventoryStores.fromKnex>>, scanId: string) =>
  stores.transaction(tx => stores.sightings.apply(scanId, 'src', tx));

describe('re-scans (unchanged sightings logged per batch, applied set-based at the end of the run)', () => {
  it.each(databases.eachSupportedId())(
    'an unchanged re-sighting moves last_seen/last_scan_id only when the run ends, changed details are rewritten, unseen ones retire (%p)',
    async databaseId => {
      const { knex, stores, write } = await setup(databaseId);
      const first = [1, 2, 3].map(n => discovery(n, { details: { tlsVersion: 'TLSv1.3' } }));
      await write('scan-1', '2026-12-01T10:00:00.000Z', first);
      const seqBefore = await knex('identities').max({ m: 'change_seq' }).first();

      // Scan 2: 1 unchanged, 2 with new details, 3 not seen.
      await write('scan-2', '2026-12-01T11:00:00.000Z', [first[0], discovery(2, { details: { tlsVersion: 'TLSv1.2' } })]);
      // The unchanged one is logged, not written: its row still says scan-1 until the run ends.
      expect((await knex('observations').where('location', '127.0.0.1:1001').first()).last_scan_id).toBe('scan-1');
      expect(await applySightings(stores, 'scan-2')).toBe(1);
      expect(await knex('scan_sightings').select('id')).toEqual([]);
      const rows = await knex('observations').orderBy('location');
      expect(rows.map(r => [r.location, r.last_scan_id, r.last_seen, JSON.parse(r.details).tlsVersion, r.first_seen])).toEqual([
        ['127.0.0.1:1001', 'scan-2', '2026-12-01T11:00:00.000Z', 'TLSv1.3', '2026-12-01T10:00:00.000Z'],
        ['127.0.0.1:1002', 'scan-2', '2026-12-01T11:00:00.000Z', 'TLSv1.2', '2026-12-01T10:00:00.000Z'],
        ['127.0.0.1:1003', 'scan-1', '2026-12-01T10:00:00.000Z', 'TLSv1.3', '2026-12-01T10:00:00.000Z'],
      ]);
      const identities = await knex('identities').orderBy('display_name');
      expect(identities.map(r => r.last_seen)).toEqual([
        '2026-12-01T11:00:00.000Z',
        '2026-12-01T11:00:00.000Z',
        '2026-12-01T10:00:00.000Z',
      ]);
      // Nothing the catalog sees changed: no change-feed position moved.
      expect(await knex('identities').max({ m: 'change_seq' }).first()).toEqual(seqBefore);

      // Retirement still finds exactly what scan 2 did not refresh.
      const result = await retireUnseen(stores, {
        scanId: 'scan-2',
        sourceId: 'src',
        now: '2026-12-01T11:05:00.000Z',
        isCovered: () => true,
        maxShare: 1,
      });
      expect(result.retired).toEqual([identityId(first[2].type, first[2].fingerprintSha256)]);
    },
  );

  it.each(databases.eachSupportedId())(
    'a changed attribute takes the full path (one feed move for that identity only); a pair logged by two batches keeps its latest sighting (%p)',
    async databaseId => {
      const { knex, stores, write } = await setup(databaseId);
      const first = [1, 2].map(n => discovery(n));
      await write('scan-1', '2026-12-01T10:00:00.000Z', first);
      const seqs = async (): Promise<Record<string, number>> =>
        Object.fromEntries((await knex('identities').select('display_name', 'change_seq')).map(r => [r.display_name, Number(r.change_seq)]));
      const before = await seqs();

      await write('scan-2', '2026-12-01T11:00:00.000Z', [first[0], discovery(2, { displayName: 'renamed.example.test' })]);
      await write('scan-2', '2026-12-01T11:30:00.000Z', [first[0]]);
      expect(await applySightings(stores, 'scan-2')).toBe(1);
      const after = await seqs();
      expect(after['identity-1.example.test']).toBe(before['identity-1.example.test']);
      expect(after['renamed.example.test']).toBeGreaterThan(Math.max(...Object.values(before)));
      const observations = await knex('observations').orderBy('location');
      expect(observations.map(r => [r.last_scan_id, r.last_seen])).toEqual([
        ['scan-2', '2026-12-01T11:30:00.000Z'],
        ['scan-2', '2026-12-01T11:00:00.000Z'],
      ]);
      const identity1 = await knex('identities').where('display_name', 'identity-1.example.test').first();
      expect(identity1.last_seen).toBe('2026-12-01T11:30:00.000Z');
    },
  );

  it.each(databases.eachSupportedId())(
    'a new input version (the Component index changed) sends unchanged sightings through the full path again (%p)',
    async databaseId => {
      const { knex, write: writeAt } = await setup(databaseId);
      const write = (scanId: string, inputVersion: string) =>
        writeAt(scanId, `2026-12-01T1${scanId.slice(-1)}:00:00.000Z`, [discovery(1)], inputVersion);
      const lastScan = async () => (await knex('observations').first()).last_scan_id;
      await write('scan-1', 'index-a');
      await write('scan-2', 'index-a');
      expect(await lastScan()).toBe('scan-1'); // skipped, only logged
      await write('scan-3', 'index-b');
      expect(await lastScan()).toBe('scan-3'); // written by the full path
    },
  );

  it.each(databases.eachSupportedId())(
    "the sweep drops the logs of runs that ended without applying them, and keeps a running run's (%p)",
    async databaseId => {
      const { knex, stores } = await setup(databaseId);
      await stores.scanRuns.create({ id: 'running', sourceId: 'src', trigger: 'manual', startedAt: '2026-12-01T10:00:00.000Z', claimed: true });
      await stores.scanRuns.create({ id: 'failed', sourceId: 'src', trigger: 'manual', startedAt: '2026-12-01T10:00:00.000Z', claimed: true });
      await knex('scan_runs').where('id', 'failed').update({ status: 'failed' });
      for (const scanId of ['running', 'failed']) await stores.sightings.log(scanId, '2026-12-01T10:01:00.000Z', [['id-1', 'here']]);
      expect(await stores.sightings.dropEnded()).toBe(1);
      expect((await knex('scan_sightings').select('scan_id')).map(r => r.scan_id)).toEqual(['running']);
    },
  );

  it.each(databases.eachSupportedId())(
    'an identity is logged only when every sighting of it in the batch is unchanged: one changed or new location sends all of it through the full path (%p)',
    async databaseId => {
      const { knex, stores, write } = await setup(databaseId);
      const at = (n: number, port: number, details?: Record<string, unknown>) => discovery(n, { location: `127.0.0.1:${port}`, details });
      await write('scan-1', '2026-12-01T10:00:00.000Z', [at(1, 11), at(1, 12, { v: 1 }), at(2, 21), at(3, 31)]);
      await write('scan-2', '2026-12-01T11:00:00.000Z', [at(1, 11), at(1, 12, { v: 2 }), at(2, 21), at(3, 31), at(3, 32)]);

      const logged = await knex('scan_sightings').where('scan_id', 'scan-2');
      expect(logged.map(r => JSON.parse(r.pairs))).toEqual([[[identityId('tls-certificate', discovery(2).fingerprintSha256), '127.0.0.1:21']]]);
      // Written at once by the full path: every sighting of identities 1 and 3; identity 2 waits for the run's end.
      const scanOf = async () =>
        Object.fromEntries((await knex('observations').select('location', 'last_scan_id')).map(r => [r.location, r.last_scan_id]));
      expect(await scanOf()).toEqual({
        '127.0.0.1:11': 'scan-2',
        '127.0.0.1:12': 'scan-2',
        '127.0.0.1:21': 'scan-1',
        '127.0.0.1:31': 'scan-2',
        '127.0.0.1:32': 'scan-2',
      });
      expect(await applySightings(stores, 'scan-2')).toBe(1);
      expect((await scanOf())['127.0.0.1:21']).toBe('scan-2');
    },
  );

  it.each(databases.eachSupportedId())(
    'logUnchanged compares whole keys of the source\'s live observations; a missing hash, another source or a gone observation is a change (%p)',
    async databaseId => {
      const { knex, stores, write } = await setup(databaseId);
      await write('scan-1', '2026-12-01T10:00:00.000Z', [discovery(1), discovery(2), discovery(4)]);
      const rows = await knex('observations').select('identity_id', 'location', 'content_hash').orderBy('location');
      const [o1, o2, o4] = rows as { identity_id: string; location: string; content_hash: string }[];
      await knex('observations').where('identity_id', o4.identity_id).update({ gone_at: '2026-12-01T10:30:00.000Z' });
      const scan = { scanId: 'scan-2', sourceId: 'src', seenAt: '2026-12-01T11:00:00.000Z' };
      const unchanged = await stores.transaction(tx =>
        stores.sightings.logUnchanged(
          scan,
          [
            [o1.identity_id, o1.location, o1.content_hash],
            [o2.identity_id, o2.location, null],
            [o4.identity_id, o4.location, o4.content_hash],
            ['tls-certificate:unknown', o1.location, o1.content_hash],
          ],
          tx,
        ),
      );
      expect([...unchanged]).toEqual([o1.identity_id]);
      const other = await stores.transaction(tx =>
        stores.sightings.logUnchanged({ ...scan, sourceId: 'other' }, [[o1.identity_id, o1.location, o1.content_hash]], tx),
      );
      expect(other.size).toBe(0);
      const logged = await knex('scan_sightings').where('scan_id', 'scan-2');
      expect(logged.map(r => JSON.parse(r.pairs))).toEqual([[[o1.identity_id, o1.location]]]);
    },
  );
});
