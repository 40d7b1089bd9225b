import { type BackendFeature, type SchedulerService, coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import { startMachineIdentityTestBackend } from '@keyring/plugin-machine-identity-node/testUtils';
import type { Knex } from 'knex';
import machineIdentityModuleTls from '../index';

/**
 * The real catalog backend with Keyring's catalog module on its own database,
 * and a handle on the catalog's scheduler to run the module's feed poll.
 */
function realCatalog(
  knex: Knex,
  catalogKnex: Knex,
  onScheduler: (scheduler: SchedulerService) => void,
): Array<BackendFeature | Promise<{ default: BackendFeature }>> {
  return [
    import('@backstage/plugin-catalog-backend'),
    import('@keyring/plugin-catalog-backend-module-machine-identity'),
    createServiceFactory({
      service: coreServices.database,
      deps: { plugin: coreServices.pluginMetadata },
      factory: ({ plugin }) => ({ getClient: async () => (plugin.getId() === 'catalog' ? catalogKnex : knex) }),
    }),
    createBackendModule({
      pluginId: 'catalog',
      moduleId: 'scheduler-handle',
      register(env) {
        env.registerInit({ deps: { scheduler: coreServices.scheduler }, init: async ({ scheduler }) => onScheduler(scheduler) });
      },
    }),
  ];
}

/**
 * Starts the real machine-identity backend plugin with this module (and any
 * `features`) on `knex`, an empty catalog and `machineIdentity` config (the
 * fallback owner filled in). Returns the backend and a scan helper. With
 * `catalogKnex`, the catalog is the real catalog backend with Keyring's
 * catalog module on that database, and `pollCatalog` runs the module's
 * change-feed poll.
 */
export async function startModuleBackend(options: {
  knex: Knex;
  machineIdentity: Record<string, unknown>;
  features?: BackendFeature[];
  catalogKnex?: Knex;
}) {
  let catalogScheduler: SchedulerService | undefined;
  const started = await startMachineIdentityTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleTls,
      ...(options.features ?? []),
      ...(options.catalogKnex
        ? realCatalog(options.knex, options.catalogKnex, scheduler => (catalogScheduler = scheduler))
        : [catalogServiceMock.factory({ entities: [] })]),
    ],
    knex: options.catalogKnex ? undefined : options.knex,
    config: options.catalogKnex && {
      backend: { baseUrl: 'http://localhost:7007' },
      catalog: { processingInterval: { minutes: 30 }, stitchingStrategy: { pollingInterval: { milliseconds: 100 } } },
    },
    machineIdentity: options.machineIdentity,
  });
  const pollCatalog = async () => {
    if (!catalogScheduler) throw new Error('started without the real catalog (catalogKnex)');
    await catalogScheduler.triggerTask('machine-identity-catalog-poll');
  };
  const { backend, http, auth, responses } = started;
  /** Starts a scan of `sourceId` and waits for its run to finish; returns the run. `onResponse` sees every response body. */
  const scan = async (sourceId: string, onResponse: (text: string) => void = () => {}) => {
    const from = responses.length;
    const run = await started.scan(sourceId);
    for (const text of responses.slice(from)) onResponse(text);
    return run;
  };
  /** GETs an API path with a user's credentials. */
  const get = (path: string) => http.get(`/api/machine-identity${path}`).set('Authorization', auth);
  return { backend, http, scan, get, pollCatalog };
}
