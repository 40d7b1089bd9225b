/*
 * Sharded scans across replicas (#16): one certificate-files source of
 * KEYRING_BENCH_SHARD_FILES distinct certificates (default 5,000, in 100
 * folders) in 2 shards, scanned by real backend processes on one PostgreSQL
 * database — 1 process running both shards at once (shardsPerReplica 2) vs
 * 2 processes (one shard each, shardsPerReplica 1) — first scan (every
 * identity new) and an unchanged re-scan. Prints wall times and the ratio.
 * Files only, on local disk; no network.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetCertificates } from '@keyring/cloud-emulators/kubernetes';

const FILES = Number(process.env.KEYRING_BENCH_SHARD_FILES ?? '5000');
const SHARDS = 2;
process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??= process.env.KEYRING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(): Promise<void> {
  const { freshDatabase, killed } = await import('../plugins/machine-identity-backend/src/faults/backendProcess');
  const { scanToEnd, shardStarts, startShardedBackend } = await import('../plugins/machine-identity-backend/src/scanning/shardProcesses');
  const dir = mkdtempSync(join(tmpdir(), 'keyring-bench-shards-'));
  const fleet = FleetCertificates.get();
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, `f${i % 100}`);
    if (i < 100) mkdirSync(folder);
    writeFileSync(join(folder, `c${i}.pem`), fleet.certificatePem(i));
  }
  const results: Record<string, { first: number; again: number; firstRun: number; againRun: number }> = {};
  try {
    for (const processes of [1, 2]) {
      const database = `keyring_bench_shards_${process.pid}_${processes}`;
      const db = await freshDatabase(database);
      const started: Parameters<typeof startShardedBackend>[2] = [];
      try {
        const env = { KEYRING_SHARDS: String(SHARDS), KEYRING_SHARDS_PER_REPLICA: String(processes === 1 ? SHARDS : 1), KEYRING_SHARD_FILES: `${dir}/**/*.pem` };
        for (let p = 0; p < processes; p++) await startShardedBackend(database, env, started);
        const first = await scanToEnd(started[0], 'files', 600_000);
        const again = await scanToEnd(started[0], 'files', 600_000);
        for (const { run: r } of [first, again]) {
          if (r.status !== 'succeeded' || r.seen !== FILES) throw new Error(`run ${r.id}: ${r.status}, ${r.seen} seen: ${JSON.stringify(r.errors?.slice(0, 3))}`);
        }
        const pids = new Set(shardStarts(started, 'files').map(s => s.pid));
        const runMs: number[] = [];
        for (const { run: r } of [first, again]) {
          runMs.push(new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime());
          const rows = await db.knex('scan_shards').where({ run_id: r.id }).orderBy('shard_index');
          const ms = (a: string, b: string) => new Date(b).getTime() - new Date(a).getTime();
          console.log(
            `  run ${r.id.slice(0, 8)}: ${seconds(ms(r.startedAt, r.finishedAt))} from claim to end; shards ` +
              rows.map(x => `#${x.shard_index} starts +${seconds(ms(r.startedAt, x.started_at))}, runs ${seconds(ms(x.started_at, x.finished_at))}`).join('; '),
          );
        }
        console.log(
          `${processes} process(es): first scan ${seconds(first.wallMs)}, unchanged re-scan ${seconds(again.wallMs)} ` +
            `(${FILES.toLocaleString('en-US')} certificate files, ${SHARDS} shards, run by ${pids.size} process(es))`,
        );
        results[processes] = { first: first.wallMs, again: again.wallMs, firstRun: runMs[0], againRun: runMs[1] };
      } finally {
        await Promise.all(started.map(killed));
        await db.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [one, two] = [results[1], results[2]];
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `2 processes / 1 process, run claimed to run ended: first scan ${ratio(two.firstRun, one.firstRun)}, re-scan ${ratio(two.againRun, one.againRun)}; ` +
      `request to end (wall): first scan ${ratio(two.first, one.first)}, re-scan ${ratio(two.again, one.again)} ` +
      '(below 1: the second replica helped; the wall time includes Backstage scheduler latency before the first shard starts, the same for both)',
  );
}
