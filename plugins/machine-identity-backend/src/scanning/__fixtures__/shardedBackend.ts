/**
 * A separate backend process for the sharded-scan test and bench: the real
 * plugin and the real (database-coordinated) scheduler on the PostgreSQL
 * database in KEYRING_SHARD_DB, with two sharded sources of KEYRING_SHARDS
 * shards (scanned when asked; yearly otherwise):
 *
 * - `wide` (test scanner): KEYRING_SHARD_COUNT discoveries at
 *   127.0.0.1:1000+n, each shard yielding and covering its own, waiting
 *   KEYRING_SHARD_ITEM_MS before each (a stand-in for network latency);
 * - `files` (the real certificate-files scanner) over the glob in
 *   KEYRING_SHARD_FILES, when set.
 *
 * Every shard prints `{"shard":i,"source":id,"pid":p}` as it starts and the
 * process prints `{"port":N}` once up. Run with `node --import tsx shardedBackend.ts`.
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CertificateFilesScanner } from '@keyring/plugin-machine-identity-backend-module-tls';
import { type ScannerContext, createScannerModule, inShard } from '@keyring/plugin-machine-identity-node';
import knexFactory from 'knex';
import { machineIdentityPlugin } from '../../plugin';
import { discovery, scanPlans, testScannerModule } from '../../__testUtils__/testScannerModule';

const shards = Number(process.env.KEYRING_SHARDS ?? '2');
const count = Number(process.env.KEYRING_SHARD_COUNT ?? '0');
const itemMs = Number(process.env.KEYRING_SHARD_ITEM_MS ?? '0');
const files = process.env.KEYRING_SHARD_FILES;
const shardsPerReplica = Number(process.env.KEYRING_SHARDS_PER_REPLICA ?? '1');

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

async function main() {
  const knex = knexFactory({ client: 'pg', connection: process.env.KEYRING_SHARD_DB!, pool: { min: 0, max: 8 } });
  const schedule = { frequency: { cron: '0 0 1 1 *' }, timeout: { seconds: 300 } };
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      filesModule,
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            tokenHashKey: process.env.KEYRING_SHARD_TOKEN_HASH_KEY,
            retirement: { maxShare: 1 },
            sources: [
              { id: 'wide', type: 'test', shards, shardsPerReplica, schedule },
              ...(files ? [{ id: 'files', type: 'sharded-files', shards, shardsPerReplica, paths: [files], schedule }] : []),
            ],
          },
        },
      }),
    ],
  });
  const address = backend.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : undefined })}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
