/**
 * A second catalog process for bench/catalog.ts: the real catalog backend with
 * Keyring's catalog module on the PostgreSQL database of the first, so the
 * two share the processing and stitching queues as Backstage replicas do.
 * Started with fork(); answers 'cpu' with its CPU time in ms and exits on 'stop'.
 *   KEYRING_REPLICA_DB      connection string of the catalog database
 *   KEYRING_REPLICA_VARIANT name in _catalogVariants.ts
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { orgFixtureModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/orgFixtureModule';
import { providerHandleModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/providerHandleModule';
import { catalogVariant } from './_catalogVariants';

async function main() {
  const variant = catalogVariant(process.env.KEYRING_REPLICA_VARIANT ?? 'after');
  const groups = Number(process.env.KEYRING_REPLICA_GROUPS);
  const components = Number(process.env.KEYRING_REPLICA_COMPONENTS);
  const knex = knexFactory({ client: 'pg', connection: process.env.KEYRING_REPLICA_DB, pool: { min: 0, max: 20 } });
  // The replica runs the same catalog modules (a catalog evicts the entities of
  // providers it does not have); its provider is never driven.
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: { backend: { baseUrl: 'http://localhost:7007' }, catalog: variant.catalog } }),
      orgFixtureModule(groups, components),
      providerHandleModule(() => undefined, { toEntity: variant.toEntity }, variant.processor()),
    ],
  });
  process.on('message', async message => {
    if (message === 'cpu') {
      const used = process.cpuUsage();
      process.send!({ cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'stop') {
      await backend.stop();
      await knex.destroy();
      process.exit(0);
    }
  });
  process.send!({ ready: true });
}

main().catch(error => {
  console.error(`catalog replica failed: ${error}`);
  process.exit(1);
});
