import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { STALE_AFTER_MS } from '../scanning/RunLease';
import { API, AUTH } from '../__testUtils__/startTestPlugin';

/**
 * A backend process is killed (SIGKILL: no shutdown hooks, no rollback by the
 * process) in the middle of a scan and another backend process carries on on
 * the same PostgreSQL database: the orphaned run is failed by the stale-run
 * sweep, nothing is retired, and the next scan completes with no duplicates.
 * The backends are real separate Node processes (see __fixtures__/scanningBackend.ts).
 */
const SERVER = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const DATABASE = 'keyring_fault_backend_killed';
const FIXTURE = resolve(__dirname, '__fixtures__/scanningBackend.ts');
/** How often the sweep runs (RunLease.ts): a dead run is failed within STALE_AFTER_MS plus one sweep period. */
const SWEEP_PERIOD_MS = 15_000;
/** One throw-away token HMAC key for every process of the test (production mode requires one). */
const TOKEN_HASH_KEY = randomBytes(32).toString('hex');
/** Source `alpha`'s schedule timeout in the fixture. */
const SOURCE_TIMEOUT_MS = 40_000;
/** How often Backstage's scheduler janitor clears expired task claims. */
const JANITOR_PERIOD_MS = 60_000;

type BackendProcess = { child: ChildProcess; http: ReturnType<typeof request>; lines: string[]; stderr: string[] };
const started: BackendProcess[] = [];

async function startBackend(env: Record<string, string>): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: resolve(__dirname, '../..'),
    // NODE_ENV production as in a deployment: under 'test' Backstage's scheduler starts no janitor, so a killed
    // process's claim on a task would never be cleared.
    env: { ...process.env, NODE_ENV: 'production',
      KEYRING_FAULT_TOKEN_HASH_KEY: TOKEN_HASH_KEY,
      KEYRING_FAULT_DB: `${SERVER!.replace(/\/$/, '')}/${DATABASE}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const proc = { child, lines, stderr } as BackendProcess;
  started.push(proc);
  child.stderr!.on('data', d => stderr.push(String(d)));
  let buffered = '';
  child.stdout!.on('data', d => {
    buffered += String(d);
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts.filter(l => l.startsWith('{')));
  });
  const ready = JSON.parse(await nextLine(proc, l => l.includes('"port"'), 60_000)) as { port: number };
  proc.http = request(`http://127.0.0.1:${ready.port}`);
  return proc;
}

async function nextLine(proc: BackendProcess, match: (line: string) => boolean, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = proc.lines.find(match);
    if (line) return line;
    if (proc.child.exitCode !== null) throw new Error(`backend exited ${proc.child.exitCode}: ${proc.stderr.join('').slice(-2000)}`);
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`no matching line from the backend in ${timeoutMs} ms: ${proc.stderr.join('').slice(-2000)}`);
}

async function killed(proc: BackendProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise(r => proc.child.once('exit', r));
  proc.child.kill('SIGKILL');
  await exited;
}

async function waitForRun(proc: BackendProcess, scanId: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await proc.http.get(`${API}/scans/${scanId}`).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    if (res.body.status !== 'running' || Date.now() > until) return res.body;
    await new Promise(r => setTimeout(r, 250));
  }
}

async function scan(proc: BackendProcess, timeoutMs = 90_000) {
  const res = await proc.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
  expect(res.status).toBe(202);
  expect(res.body.alreadyRunning).toBe(false);
  return waitForRun(proc, res.body.scanId, timeoutMs);
}

const count = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }).first())!.n);

describe.skipIf(!SERVER)('faults: a backend process killed mid-scan (PostgreSQL, real processes)', () => {
  let admin: Knex;
  let knex: Knex;

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: `${SERVER!.replace(/\/$/, '')}/postgres` });
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]);
    await admin.raw('CREATE DATABASE ??', [DATABASE]);
    knex = knexFactory({ client: 'pg', connection: `${SERVER!.replace(/\/$/, '')}/${DATABASE}` });
  });

  afterAll(async () => {
    await Promise.all(started.map(killed));
    await knex?.destroy();
    await admin?.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [DATABASE]);
    await admin?.destroy();
  });

  it('the orphaned run is failed within the lease timeout, nothing is retired, and the next scan on another process completes once per identity', async () => {
    // Process A: a complete first scan of 1..1100, then a second scan that writes a batch (1,000) and hangs.
    const a = await startBackend({ KEYRING_FAULT_COUNT: '1100', KEYRING_FAULT_HANG_AFTER: '1051', KEYRING_FAULT_HANG_ON_RUN: '2' });
    expect(await scan(a)).toMatchObject({ status: 'succeeded', added: 1100, retired: 0 });

    const second = await a.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
    expect(second.status).toBe(202);
    const orphanId = second.body.scanId as string;
    await nextLine(a, l => l.includes('"hanging"'), 30_000);
    const orphan = await knex('scan_runs').where({ id: orphanId }).first();
    expect(orphan).toMatchObject({ status: 'running' });
    expect(orphan.lease_token).toBeTruthy();
    await killed(a);
    const killedAt = Date.now();

    // Process B on the same database: the sweep fails the dead run once its heartbeat is stale.
    const b = await startBackend({ KEYRING_FAULT_COUNT: '1150' });
    const run = await waitForRun(b, orphanId, STALE_AFTER_MS + SWEEP_PERIOD_MS + 10_000);
    const failedAfterMs = Date.now() - killedAt;
    expect(run).toMatchObject({ status: 'failed', retired: 0 });
    expect(run.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(/no heartbeat/i);
    expect(failedAfterMs).toBeLessThan(STALE_AFTER_MS + SWEEP_PERIOD_MS + 10_000);
    process.stdout.write(`backendKilled: orphaned run failed ${failedAfterMs} ms after SIGKILL\n`);
    expect(await count(knex('identities').where({ state: 'active' }))).toBe(1100);
    expect(await count(knex('audit_events').where({ action: 'gone' }))).toBe(0);
    expect(await count(knex('scan_runs').where({ status: 'running' }))).toBe(0);

    // Backstage's scheduler keeps the source's task claimed by the dead process until the claim's expiry (the
    // source timeout) is cleared by a scheduler janitor (once a minute, on any process): until then a scan
    // request is refused with a conflict, not queued twice.
    let accepted: request.Response | undefined;
    const acceptBy = Date.now() + SOURCE_TIMEOUT_MS + JANITOR_PERIOD_MS + 15_000;
    while (Date.now() < acceptBy) {
      const res = await b.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
      if (res.status !== 409) {
        accepted = res;
        break;
      }
      expect(res.body.error?.name).toBe('ConflictError');
      await new Promise(r => setTimeout(r, 1000));
    }
    expect(accepted?.status).toBe(202);
    // alreadyRunning when B's scheduler is already running the overdue task: then the id is that run's.
    process.stdout.write(`backendKilled: next scan accepted ${Date.now() - killedAt} ms after SIGKILL\n`);

    // The next scan on B completes: the 1,100 known once each, 50 new. (Once the claim is cleared, B's scheduler
    // may first run the source's overdue task itself — the killed process's trigger — before the requested scan.)
    expect(await waitForRun(b, accepted!.body.scanId, 90_000)).toMatchObject({ status: 'succeeded', seen: 1150, retired: 0 });
    const later = await knex('scan_runs').whereNot({ id: orphanId }).where('started_at', '>', orphan.started_at);
    process.stdout.write(`backendKilled: runs after the kill: ${later.map(r => `${r.trigger} ${r.status} added ${r.added}`).join('; ')}\n`);
    expect(later.map(r => r.status)).toEqual(later.map(() => 'succeeded'));
    expect(later.reduce((sum, r) => sum + Number(r.added), 0)).toBe(50);
    expect(await count(knex('audit_events').where({ action: 'gone' }))).toBe(0);
    expect(await count(knex('identities'))).toBe(1150);
    expect(Number((await knex('identities').countDistinct({ n: 'fingerprint_sha256' }).first())!.n)).toBe(1150);
    expect(await count(knex('identities').where({ state: 'active' }))).toBe(1150);
    expect(await count(knex('observations').whereNull('gone_at'))).toBe(1150);
  }, 300_000);
});
