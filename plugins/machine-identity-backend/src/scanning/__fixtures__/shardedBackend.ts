/**
 * A separate backend process for the sharded-scan tests and bench (see
 * __testUtils__/startFixtureBackend.ts) on the PostgreSQL database in
 * KEYRING_SHARD_DB, with two sharded sources of KEYRING_SHARDS shards (scanned
 * when asked; yearly otherwise; timeout KEYRING_SHARD_TIMEOUT_SECONDS, default 300):
 *
 * - `wide` (test scanner): KEYRING_SHARD_COUNT discoveries at
 *   127.0.0.1:1000+n, each shard yielding and covering its own, waiting
 *   KEYRING_SHARD_ITEM_MS before each (a stand-in for network latency); while
 *   the file KEYRING_SHARD_HANG_FILE exists, a shard prints
 *   `{"hanging":i,"pid":p}` after its first discovery and never ends;
 * - `files` (the real certificate-files scanner) over the glob in
 *   KEYRING_SHARD_FILES, when set.
 *
 * Every shard prints `{"shard":i,"source":id,"pid":p}` as it starts and the
 * process prints `{"port":N}` once up. Run with `node --import tsx shardedBackend.ts`.
 */
import { existsSync } from 'node:fs';
import { CertificateFilesScanner } from '@keyring/plugin-machine-identity-backend-module-tls';
import { type ScannerContext, createScannerModule, inShard } from '@keyring/plugin-machine-identity-node';
import { startFixtureBackend } from '../../__testUtils__/startFixtureBackend';
import { discovery, scanPlans } from '../../__testUtils__/testScannerModule';

const shards = Number(process.env.KEYRING_SHARDS ?? '2');
const count = Number(process.env.KEYRING_SHARD_COUNT ?? '0');
const itemMs = Number(process.env.KEYRING_SHARD_ITEM_MS ?? '0');
const files = process.env.KEYRING_SHARD_FILES;
const shardsPerReplica = Number(process.env.KEYRING_SHARDS_PER_REPLICA ?? '1');
const timeoutSeconds = Number(process.env.KEYRING_SHARD_TIMEOUT_SECONDS ?? '300');
/** While this file exists, every shard of `wide` on this process stops after its first discovery and never ends. */
const hangFile = process.env.KEYRING_SHARD_HANG_FILE;

const started = (context: ScannerContext) =>
  process.stdout.write(`${JSON.stringify({ shard: context.shard?.index, source: context.source.id, pid: process.pid })}\n`);

scanPlans.set('wide', async function* plan(context) {
  started(context);
  for (let n = 1; n <= count; n++) {
    const where = `127.0.0.1:${1000 + n}`;
    if (!inShard(where, context.shard)) continue;
    if (itemMs > 0) await new Promise(r => setTimeout(r, itemMs));
    context.reportCovered(where);
    yield discovery(n, { location: where });
    if (hangFile && existsSync(hangFile)) {
      process.stdout.write(`${JSON.stringify({ hanging: context.shard?.index, pid: process.pid })}\n`);
      await new Promise(() => {});
    }
  }
});

const filesScanner = CertificateFilesScanner.create({ hostname: 'bench-host' });
const filesModule = createScannerModule({
  moduleId: 'sharded-files',
  scanner: {
    sourceTypes: ['sharded-files'],
    scan(context) {
      started(context);
      return filesScanner.scan(context);
    },
  },
});

const schedule = { frequency: { cron: '0 0 1 1 *' }, timeout: { seconds: timeoutSeconds } };
startFixtureBackend({
  database: process.env.KEYRING_SHARD_DB!,
  tokenHashKey: process.env.KEYRING_SHARD_TOKEN_HASH_KEY,
  features: [filesModule],
  poolMax: 8,
  sources: [
    { id: 'wide', type: 'test', shards, shardsPerReplica, schedule },
    ...(files ? [{ id: 'files', type: 'sharded-files', shards, shardsPerReplica, paths: [files], schedule }] : []),
  ],
});
