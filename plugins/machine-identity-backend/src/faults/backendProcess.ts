import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { API, AUTH } from '../__testUtils__/startTestPlugin';

/**
 * Real backend processes for the fault tests (see __fixtures__/scanningBackend.ts):
 * started on one PostgreSQL database, read line by line, killed with SIGKILL.
 */
export const SERVER = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const FIXTURE = resolve(__dirname, '__fixtures__/scanningBackend.ts');
/** One throw-away token HMAC key for every process of a test run (production mode requires one). */
const TOKEN_HASH_KEY = randomBytes(32).toString('hex');

export type BackendProcess = { child: ChildProcess; http: ReturnType<typeof request>; lines: string[]; stderr: string[] };

/** The URL of `database` on the test server. */
export const databaseUrl = (database: string) => `${SERVER!.replace(/\/$/, '')}/${database}`;

/** A fresh database `name` on the test server, with a knex on it; `drop` removes both. */
export async function freshDatabase(name: string): Promise<{ knex: Knex; drop: () => Promise<void> }> {
  const admin = knexFactory({ client: 'pg', connection: databaseUrl('postgres') });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  const knex = knexFactory({ client: 'pg', connection: databaseUrl(name) });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    },
  };
}

/** Starts a backend process of the fault fixture on `database` of the test server; `started` collects it for cleanup. */
export async function startBackend(database: string, env: Record<string, string>, started: BackendProcess[]): Promise<BackendProcess> {
  return spawnBackend(
    FIXTURE,
    { KEYRING_FAULT_TOKEN_HASH_KEY: TOKEN_HASH_KEY, KEYRING_FAULT_DB: databaseUrl(database), ...env },
    started,
  );
}

/**
 * Spawns the backend fixture `fixture` with `env`, collects the JSON lines it prints and waits for the
 * line with its port; `started` collects it for cleanup.
 */
export async function spawnBackend(
  fixture: string,
  env: Record<string, string>,
  started: BackendProcess[],
  readyTimeoutMs = 60_000,
): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: resolve(__dirname, '../..'),
    // NODE_ENV production as in a deployment: under 'test' Backstage's scheduler starts no janitor, so a killed
    // process's claim on a task would never be cleared.
    env: { ...process.env, NODE_ENV: 'production', ...env },
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
  const ready = JSON.parse(await nextLine(proc, l => l.includes('"port"'), readyTimeoutMs)) as { port: number };
  proc.http = request(`http://127.0.0.1:${ready.port}`);
  return proc;
}

export async function nextLine(proc: BackendProcess, match: (line: string) => boolean, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const line = proc.lines.find(match);
    if (line) return line;
    if (proc.child.exitCode !== null) throw new Error(`backend exited ${proc.child.exitCode}: ${proc.stderr.join('').slice(-2000)}`);
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`no matching line from the backend in ${timeoutMs} ms: ${proc.stderr.join('').slice(-2000)}`);
}

export async function killed(proc: BackendProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise(r => proc.child.once('exit', r));
  proc.child.kill('SIGKILL');
  await exited;
}

export async function waitForRun(proc: BackendProcess, scanId: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await proc.http.get(`${API}/scans/${scanId}`).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    if (res.body.status !== 'running' || Date.now() > until) return res.body;
    await new Promise(r => setTimeout(r, 250));
  }
}

/** Requests a scan of `alpha` (accepted, not already running) and waits for its end. */
export async function scan(proc: BackendProcess, timeoutMs = 90_000) {
  const res = await proc.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
  expect(res.status).toBe(202);
  expect(res.body.alreadyRunning).toBe(false);
  return waitForRun(proc, res.body.scanId, timeoutMs);
}

export const count = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }).first())!.n);
