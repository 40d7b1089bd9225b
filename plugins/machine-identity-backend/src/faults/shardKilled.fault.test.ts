import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STALE_AFTER_MS } from '../scanning/RunLease';
import { scanToEnd, shardStarts, startShardedBackend } from '../scanning/shardProcesses';
import { API, AUTH } from '../__testUtils__/startTestPlugin';
import { type BackendProcess, SERVER, count, freshDatabase, killed, nextLine, waitForRun } from './backendProcess';

/**
 * A backend process is SIGKILLed while it holds a shard of a sharded source's
 * run (real processes on one PostgreSQL database, see
 * scanning/__fixtures__/shardedBackend.ts). The incomplete run is failed once
 * its lease is stale and retires nothing (the run-level rule: only a run whose
 * every shard succeeded retires); the next manual scan is accepted although
 * Backstage's scheduler still holds the dead process's claim on its shard tasks
 * (until the source timeout, longer than the test) — the shards whose tasks
 * are claimed run on the replica that was asked — and completes once per identity.
 */
const SWEEP_PERIOD_MS = 15_000;
const IDENTITIES = 200;
const HANG_FILE = join(tmpdir(), `keyring-shard-killed-hang-${process.pid}`);
const started: BackendProcess[] = [];

const env = (shardsPerReplica: number, hang: boolean) => ({
  KEYRING_SHARDS: '2',
  KEYRING_SHARDS_PER_REPLICA: String(shardsPerReplica),
  KEYRING_SHARD_COUNT: String(IDENTITIES),
  // A shard takes ~2.5 s: the busy replica hands its second shard back and the other replica's poll takes it.
  KEYRING_SHARD_ITEM_MS: '25',
  KEYRING_SHARD_TIMEOUT_SECONDS: '600',
  ...(hang ? { KEYRING_SHARD_HANG_FILE: HANG_FILE } : {}),
});

/** Requests a scan of `wide` on `proc` until a shard hangs on it (the other replica's poll may take every shard). */
async function scanUntilHanging(proc: BackendProcess): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await proc.http.post(`${API}/sources/wide/scan`).set('Authorization', AUTH);
    expect(res.status).toBe(202);
    const hanging = await nextLine(proc, l => l.includes('"hanging"'), 15_000).catch(() => undefined);
    if (hanging) return res.body.scanId as string;
    await waitForRun(proc, res.body.scanId, 60_000);
  }
  throw new Error('no shard of wide hung on the process');
}

async function expectFailedRetiringNothing(proc: BackendProcess, db: Awaited<ReturnType<typeof freshDatabase>>, scanId: string, killedAt: number) {
  const run = await waitForRun(proc, scanId, STALE_AFTER_MS + SWEEP_PERIOD_MS + 15_000);
  expect(run).toMatchObject({ status: 'failed', retired: 0 });
  process.stdout.write(`shardKilled: incomplete run failed ${Date.now() - killedAt} ms after SIGKILL\n`);
  expect(await count(db.knex('audit_events').where({ action: 'gone' }))).toBe(0);
  expect(await count(db.knex('identities').where({ state: 'active' }))).toBe(IDENTITIES);
  expect(await count(db.knex('scan_runs').where({ status: 'running' }))).toBe(0);
}

async function expectNextScanCompletes(proc: BackendProcess, db: Awaited<ReturnType<typeof freshDatabase>>, killedAt: number) {
  const claimed = await db.knex('backstage_backend_tasks__tasks').where('id', 'like', '%machine-identity-scan:wide#%').whereNotNull('current_run_ticket');
  expect(claimed.length).toBeGreaterThan(0);
  const accepted = await proc.http.post(`${API}/sources/wide/scan`).set('Authorization', AUTH);
  expect(accepted.status).toBe(202);
  expect(accepted.body.alreadyRunning).toBe(false);
  process.stdout.write(`shardKilled: next scan accepted ${Date.now() - killedAt} ms after SIGKILL (${claimed.length} shard task(s) still claimed)\n`);
  expect(await waitForRun(proc, accepted.body.scanId, 90_000)).toMatchObject({ status: 'succeeded', seen: IDENTITIES, added: 0, retired: 0 });
  const shards = await db.knex('scan_shards').where({ run_id: accepted.body.scanId }).orderBy('shard_index');
  expect(shards.map(s => s.status)).toEqual(['succeeded', 'succeeded']);
  expect(await count(db.knex('identities'))).toBe(IDENTITIES);
  expect(await count(db.knex('identities').where({ state: 'active' }))).toBe(IDENTITIES);
  expect(await count(db.knex('observations').whereNull('gone_at'))).toBe(IDENTITIES);
  expect(await count(db.knex('audit_events').where({ action: 'gone' }))).toBe(0);
}

describe.skipIf(!SERVER)('faults: a backend process killed while it holds a shard (PostgreSQL, real processes)', () => {
  const dbs: Array<Awaited<ReturnType<typeof freshDatabase>>> = [];

  afterAll(async () => {
    rmSync(HANG_FILE, { force: true });
    await Promise.all(started.map(killed));
    for (const db of dbs) await db.drop();
  });

  it('two backends: the killed one’s run fails retiring nothing; the next scan completes on the other', async () => {
    const db = await freshDatabase('keyring_fault_shard_killed');
    dbs.push(db);
    rmSync(HANG_FILE, { force: true });
    const a = await startShardedBackend('keyring_fault_shard_killed', env(1, true), started);
    const b = await startShardedBackend('keyring_fault_shard_killed', env(1, false), started);
    expect((await scanToEnd(a, 'wide')).run).toMatchObject({ status: 'succeeded', added: IDENTITIES, retired: 0 });

    writeFileSync(HANG_FILE, '');
    const orphanId = await scanUntilHanging(a);
    expect(shardStarts([b], 'wide').length).toBeGreaterThan(0);
    await killed(a);
    const killedAt = Date.now();
    await expectFailedRetiringNothing(b, db, orphanId, killedAt);
    await expectNextScanCompletes(b, db, killedAt);
  }, 300_000);

  it('one backend restarted after a crash that held every shard: a manual scan is accepted, not a 409, and completes', async () => {
    const db = await freshDatabase('keyring_fault_shard_restarted');
    dbs.push(db);
    rmSync(HANG_FILE, { force: true });
    const a = await startShardedBackend('keyring_fault_shard_restarted', env(2, true), started);
    expect((await scanToEnd(a, 'wide')).run).toMatchObject({ status: 'succeeded', added: IDENTITIES, retired: 0 });

    writeFileSync(HANG_FILE, '');
    const orphanId = await scanUntilHanging(a);
    await killed(a);
    const killedAt = Date.now();
    const restarted = await startShardedBackend('keyring_fault_shard_restarted', env(2, false), started);
    await expectFailedRetiringNothing(restarted, db, orphanId, killedAt);
    await expectNextScanCompletes(restarted, db, killedAt);
  }, 300_000);
});
