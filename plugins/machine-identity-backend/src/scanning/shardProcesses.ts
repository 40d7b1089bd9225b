import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { API, AUTH } from '../__testUtils__/startTestPlugin';
import { type BackendProcess, databaseUrl, spawnBackend } from '../faults/backendProcess';

/**
 * Real backend processes with sharded sources on one PostgreSQL database (see
 * __fixtures__/shardedBackend.ts), for the sharded-scan test and bench.
 */
const FIXTURE = resolve(__dirname, '__fixtures__/shardedBackend.ts');
const TOKEN_HASH_KEY = randomBytes(32).toString('hex');

/** Starts a backend process on `database` of the test server; `started` collects it for cleanup. */
export async function startShardedBackend(database: string, env: Record<string, string>, started: BackendProcess[]): Promise<BackendProcess> {
  return spawnBackend(
    FIXTURE,
    { KEYRING_SHARD_TOKEN_HASH_KEY: TOKEN_HASH_KEY, KEYRING_SHARD_DB: databaseUrl(database), ...env },
    started,
    90_000,
  );
}

/** Requests a scan of `sourceId` on `proc` and polls the run until it ends; returns it with its wall time. */
export async function scanToEnd(proc: BackendProcess, sourceId: string, timeoutMs = 120_000) {
  const startedAt = Date.now();
  const res = await proc.http.post(`${API}/sources/${sourceId}/scan`).set('Authorization', AUTH);
  if (res.status !== 202) throw new Error(`scan of ${sourceId} refused: ${res.status} ${JSON.stringify(res.body)}`);
  for (;;) {
    const run = await proc.http.get(`${API}/scans/${res.body.scanId}`).set('Authorization', AUTH);
    if (run.body.status !== 'running') return { run: run.body, wallMs: Date.now() - startedAt };
    if (Date.now() - startedAt > timeoutMs) throw new Error(`scan ${res.body.scanId} of ${sourceId} still running after ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** The pids that printed the start of a shard of `sourceId`, by shard index. */
export function shardStarts(procs: BackendProcess[], sourceId: string): Array<{ shard: number; pid: number }> {
  return procs.flatMap(p =>
    p.lines.filter(l => l.includes('"shard"')).map(l => JSON.parse(l) as { shard: number; source: string; pid: number }).filter(s => s.source === sourceId),
  );
}
