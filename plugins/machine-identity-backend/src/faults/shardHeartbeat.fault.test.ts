import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STALE_AFTER_MS } from '../scanning/RunLease';
import { startShardedBackend } from '../scanning/shardProcesses';
import { API, AUTH } from '../__testUtils__/startTestPlugin';
import { type BackendProcess, SERVER, freshDatabase, killed, nextLine, waitForRun } from './backendProcess';

/**
 * A backend process is SIGKILLed while it holds one shard of a run whose other
 * shard runs on to its end, long after (real processes on one PostgreSQL
 * database, see scanning/__fixtures__/shardedBackend.ts). The dead shard is
 * failed within a minute by the sweep (its own heartbeat stopped) while the
 * live one — which writes no progress for over a minute, only heartbeats —
 * keeps running; the run concludes, failed and retiring nothing, as soon as
 * the live shard ends rather than when the run's own lease goes stale.
 */
const SWEEP_PERIOD_MS = 15_000;
const DATABASE = 'keyring_fault_shard_heartbeat';
const HANG_FILE = join(tmpdir(), `keyring-shard-heartbeat-hang-${process.pid}`);
const started: BackendProcess[] = [];

const env = (itemMs: number, hang: boolean) => ({
  KEYRING_SHARDS: '2',
  KEYRING_SHARDS_PER_REPLICA: '1',
  KEYRING_SHARD_COUNT: '200',
  KEYRING_SHARD_ITEM_MS: String(itemMs),
  KEYRING_SHARD_TIMEOUT_SECONDS: '600',
  ...(hang ? { KEYRING_SHARD_HANG_FILE: HANG_FILE } : {}),
});

describe.skipIf(!SERVER)('faults: a shard whose process died, beside a live one (PostgreSQL, real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  afterAll(async () => {
    rmSync(HANG_FILE, { force: true });
    await Promise.all(started.map(killed));
    await db?.drop();
  });

  it('the dead shard is failed within a minute; the run concludes when the live shard ends', async () => {
    db = await freshDatabase(DATABASE);
    writeFileSync(HANG_FILE, '');
    // About 100 discoveries a shard: ~2.5 s on `a` (which hangs after the first), ~100 s on `b`.
    const a = await startShardedBackend(DATABASE, env(25, true), started);
    const b = await startShardedBackend(DATABASE, env(1000, false), started);
    const res = await a.http.post(`${API}/sources/wide/scan`).set('Authorization', AUTH);
    expect(res.status).toBe(202);
    const scanId = res.body.scanId as string;
    const hanging = JSON.parse(await nextLine(a, l => l.includes('"hanging"'), 30_000)) as { hanging: number };
    await nextLine(b, l => l.includes('"shard"'), 30_000);
    await killed(a);
    const killedAt = Date.now();

    const shards = () => db.knex('scan_shards').where({ run_id: scanId }).orderBy('shard_index');
    let rows = await shards();
    while (rows[hanging.hanging].status === 'running' && Date.now() - killedAt < STALE_AFTER_MS + SWEEP_PERIOD_MS + 10_000) {
      await new Promise(r => setTimeout(r, 250));
      rows = await shards();
    }
    const failedAfter = Date.now() - killedAt;
    process.stdout.write(`shardHeartbeat: dead shard failed ${failedAfter} ms after SIGKILL\n`);
    expect(rows[hanging.hanging]).toMatchObject({ status: 'failed', errors: expect.stringMatching(/Abandoned: no heartbeat/) });
    expect(rows[1 - hanging.hanging].status).toBe('running');
    expect((await db.knex('scan_runs').where({ id: scanId }).first()).status).toBe('running');

    const run = await waitForRun(b, scanId, 120_000);
    expect(run).toMatchObject({ status: 'failed', retired: 0 });
    rows = await shards();
    expect(rows.map(r => r.status)).toEqual(hanging.hanging === 0 ? ['failed', 'succeeded'] : ['succeeded', 'failed']);
    const lag = Date.parse(run.finishedAt) - Date.parse(rows[1 - hanging.hanging].finished_at);
    process.stdout.write(`shardHeartbeat: run concluded ${lag} ms after its live shard ended\n`);
    expect(lag).toBeLessThan(5_000);
  }, 300_000);
});
