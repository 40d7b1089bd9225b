import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import type { InventoryStores } from '../database/types';
import type { ConfiguredSource } from './readSources';
import { STALE_AFTER_MS } from './RunLease';
import { type ShardClaim, claimShard, failStaleShards, finishShard } from './shardRuns';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const source = {
  id: 'wide',
  type: 'test',
  config: {},
  shards: 2,
  shardsPerReplica: 1,
  timeoutMs: 10 * 60_000,
  schedule: { frequency: { hours: 6 }, timeout: { minutes: 10 } },
} as unknown as ConfiguredSource;
const iso = (at: number) => new Date(at).toISOString();

/** What the engine hands finishShard for a shard that ran to `status` without sighting anything. */
const ended = (shard: ShardClaim, status: 'succeeded' | 'failed') => ({
  scanId: shard.scanId,
  sourceId: source.id,
  status,
  covered: [],
  maxShare: 0.1,
  leaseToken: shard.runToken,
  record: () => {},
  final: () => ({ seen: 0, added: 0, progress: { done: 0 }, errors: [], errorCount: 0 }),
});

async function claimBoth(stores: InventoryStores, at: number): Promise<[ShardClaim, ShardClaim]> {
  const first = await claimShard(stores, source, 0, at);
  const second = await claimShard(stores, source, 1, at);
  expect(second?.scanId).toBe(first?.scanId);
  return [first!, second!];
}

describe('shard leases', () => {
  it.each(databases.eachSupportedId())(
    'a shard whose heartbeat stopped is failed by the sweep while the others run; the run concludes failed once no shard runs (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const shardRows = async (scanId: string) => knex('scan_shards').where({ run_id: scanId }).orderBy('shard_index');
      const t0 = Date.parse('2026-12-01T10:00:00.000Z');

      // Shard 1's process heart-beats (run and shard); shard 0's died right after its claim.
      const [dead, live] = await claimBoth(stores, t0);
      expect(await failStaleShards(stores, t0 + 10_000)).toBe(0);
      expect(await stores.scanRuns.heartbeat(live.scanId, live.runToken, iso(t0 + 20_000))).toBe(true);
      expect(await stores.scanRuns.heartbeatShard(live.scanId, live.index, live.shardToken, iso(t0 + 20_000))).toBe(true);

      expect(await failStaleShards(stores, t0 + STALE_AFTER_MS + 1)).toBe(1);
      expect((await shardRows(dead.scanId)).map(r => r.status)).toEqual(['failed', 'running']);
      expect(JSON.parse((await shardRows(dead.scanId))[0].errors)).toEqual([{ message: expect.stringMatching(/^Abandoned: no heartbeat for 40s/) }]);
      expect(await stores.scanRuns.get(dead.scanId)).toMatchObject({ status: 'running' });
      // The dead shard lost its claim: a late heartbeat or end of it is refused.
      expect(await stores.scanRuns.heartbeatShard(dead.scanId, dead.index, dead.shardToken, iso(t0 + 50_000))).toBe(false);
      await expect(finishShard(stores, dead, ended(dead, 'succeeded'))).rejects.toThrow(/no longer holds its claim/);

      // The surviving shard ends: the run concludes at once, failed, retiring nothing.
      expect(await finishShard(stores, live, ended(live, 'succeeded'))).toMatchObject({ concluded: true, retired: [] });
      const first = await stores.scanRuns.get(dead.scanId);
      expect(first).toMatchObject({ status: 'failed', retired: 0 });
      expect(first!.errors.map(e => e.message)).toEqual([
        expect.stringMatching(/^Shard 1\/2: Abandoned: no heartbeat for 40s/),
        'Nothing retired: shard(s) 1/2 failed; only a run whose every shard succeeded may retire identities',
      ]);

      // Every shard's process died: the sweep fails them and concludes the run itself.
      const t1 = t0 + 120_000;
      const [a] = await claimBoth(stores, t1);
      expect(a.scanId).not.toBe(dead.scanId);
      expect(await stores.scanRuns.heartbeat(a.scanId, a.runToken, iso(t1 + 20_000))).toBe(true);
      expect(await failStaleShards(stores, t1 + STALE_AFTER_MS + 1)).toBe(2);
      expect((await shardRows(a.scanId)).map(r => r.status)).toEqual(['failed', 'failed']);
      const second = await stores.scanRuns.get(a.scanId);
      expect(second).toMatchObject({ status: 'failed', retired: 0 });
      expect(second!.finishedAt).toBeTruthy();
      expect(second!.errors.map(e => e.message)).toContain(
        'Nothing retired: shard(s) 1/2 failed, 2/2 failed; only a run whose every shard succeeded may retire identities',
      );
      expect(await failStaleShards(stores, t1 + 2 * STALE_AFTER_MS)).toBe(0);
    },
  );
});
