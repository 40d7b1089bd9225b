import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { discovery } from '../__testUtils__/testScannerModule';
import { concludeRun } from './concludeRun';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const resolveOwnership = () => ({ rule: 'fallback' as const, via: 'test' });

describe('scan-run fencing', () => {
  it.each(databases.eachSupportedId())(
    'refuses the writes of a run that lost its lease, and the sweep fails only runs whose heartbeat stopped (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const runs = stores.scanRuns;
      const t0 = Date.parse('2026-12-01T10:00:00.000Z');
      const at = (ms: number) => new Date(t0 + ms).toISOString();
      await runs.create({ id: 'old', sourceId: 'alpha', trigger: 'schedule', startedAt: at(0), claimed: true, leaseToken: 'token-old' });
      const write = (scanId: string, leaseToken: string) =>
        writeDiscoveries(stores, { scanId, sourceId: 'alpha', discoveries: [discovery(1)], now: at(1000), resolveOwnership, leaseToken });

      await expect(write('old', 'token-old')).resolves.toMatchObject({ added: 1 });
      await expect(write('old', 'someone-else')).rejects.toThrow(/no longer holds its lease/);
      expect(await runs.heartbeat('old', 'token-old', at(5_000))).toBe(true);

      // the process dies; a minute later the sweep fails it, a live run is left alone
      await runs.create({ id: 'live', sourceId: 'beta', trigger: 'schedule', startedAt: at(0), claimed: true, leaseToken: 'token-live' });
      expect(await runs.heartbeat('live', 'token-live', at(60_000))).toBe(true);
      expect(await runs.failStale(at(60_000 - 40_000), at(60_000), 'Abandoned: no heartbeat')).toBe(1);
      expect(await runs.get('old')).toMatchObject({ status: 'failed', errors: [{ message: 'Abandoned: no heartbeat' }] });
      expect((await runs.get('live'))?.status).toBe('running');

      // the stale run wakes up: its heartbeat, its batches and its end are all refused
      expect(await runs.heartbeat('old', 'token-old', at(61_000))).toBe(false);
      await expect(write('old', 'token-old')).rejects.toThrow(/no longer holds its lease \(status failed\)/);
      const conclusion = { scanId: 'old', sourceId: 'alpha', status: 'succeeded' as const, covered: ['127.0.0.1'], maxShare: 1, leaseToken: 'token-old', record: () => {}, final: () => ({ seen: 0 }) };
      await expect(concludeRun(stores, conclusion)).rejects.toThrow(/no longer holds its lease/);
      expect(await runs.get('old')).toMatchObject({ status: 'failed', retired: 0 });
      expect(Number((await knex('identities').where({ state: 'gone' }).count({ n: '*' }).first())!.n)).toBe(0);
    },
  );
});
