import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { identityId } from '../database/identityId';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { retireUnseen } from './retireUnseen';
import { writeDiscoveries } from './writeDiscoveries';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('re-scans (set-based refresh of unchanged sightings)', () => {
  it.each(databases.eachSupportedId())(
    'an unchanged re-sighting moves last_seen/last_scan_id only, changed details are rewritten, unseen ones retire (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const resolveOwnership = OwnershipResolver.create({ fallbackOwner: 'group:default/security' }).resolve;
      const write = (scanId: string, now: string, list: ReturnType<typeof discovery>[]) =>
        writeDiscoveries(stores, { scanId, sourceId: 'src', discoveries: list, now, resolveOwnership });
      const first = [1, 2, 3].map(n => discovery(n, { details: { tlsVersion: 'TLSv1.3' } }));
      await write('scan-1', '2026-12-01T10:00:00.000Z', first);
      const seqBefore = await knex('identities').max({ m: 'change_seq' }).first();

      // Scan 2: 1 unchanged, 2 with new details, 3 not seen.
      await write('scan-2', '2026-12-01T11:00:00.000Z', [first[0], discovery(2, { details: { tlsVersion: 'TLSv1.2' } })]);
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
});
