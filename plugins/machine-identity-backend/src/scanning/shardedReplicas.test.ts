import { count, freshDatabase, killed, type BackendProcess, SERVER } from '../faults/backendProcess';
import { scanToEnd, shardStarts, startShardedBackend } from './shardProcesses';

/**
 * Two real backend processes on one PostgreSQL database scan one run of a
 * sharded source: each shard task is claimed by one replica's scheduler, a
 * busy replica hands a further shard back, so both processes run shards of the
 * run, which ends once, with every identity once.
 */
const DATABASE = 'keyring_sharded_replicas';
const started: BackendProcess[] = [];

describe.skipIf(!SERVER)('sharded scans across two backend processes (PostgreSQL, real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase(DATABASE);
  });

  afterAll(async () => {
    await Promise.all(started.map(killed));
    await db?.drop();
  });

  it('both processes execute shards of one run; the run concludes once over all of them', async () => {
    const env = { KEYRING_SHARDS: '4', KEYRING_SHARD_COUNT: '400', KEYRING_SHARD_ITEM_MS: '10' };
    const a = await startShardedBackend(DATABASE, env, started);
    const b = await startShardedBackend(DATABASE, env, started);
    const { run, wallMs } = await scanToEnd(a, 'wide');
    expect(run).toMatchObject({ status: 'succeeded', seen: 400, added: 400, retired: 0 });
    const starts = shardStarts([a, b], 'wide');
    process.stdout.write(`shardedReplicas: run of 4 shards in ${wallMs} ms; shards by pid ${JSON.stringify(starts)}\n`);
    expect(starts.map(s => s.shard).sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(starts.map(s => s.pid))).toEqual(new Set([a.child.pid, b.child.pid]));
    const shards = await db.knex('scan_shards').where({ run_id: run.id });
    expect(shards.map(s => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await count(db.knex('scan_runs'))).toBe(1);
    expect(await count(db.knex('identities').where({ state: 'active' }))).toBe(400);
    expect(await count(db.knex('observations').whereNull('gone_at'))).toBe(400);
  }, 240_000);
});
