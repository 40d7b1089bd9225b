import { type BackendFeature, type SchedulerService, coreServices, createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import machineIdentityModuleTls from '../index';

const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

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
  noAuthDefaults?: boolean;
  catalogKnex?: Knex;
}) {
  let catalogScheduler: SchedulerService | undefined;
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleTls,
      ...(options.features ?? []),
      ...(options.catalogKnex
        ? realCatalog(options.knex, options.catalogKnex, scheduler => (catalogScheduler = scheduler))
        : [mockServices.database.factory({ knex: options.knex }), catalogServiceMock.factory({ entities: [] })]),
      ...(options.noAuthDefaults ? [] : [mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })]),
      mockServices.rootConfig.factory({
        data: {
          ...(options.catalogKnex && {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: { processingInterval: { minutes: 30 }, stitchingStrategy: { pollingInterval: { milliseconds: 100 } } },
          }),
          machineIdentity: { fallbackOwner: 'group:default/security', ...options.machineIdentity },
        },
      }),
    ],
  });
  const pollCatalog = async () => {
    if (!catalogScheduler) throw new Error('started without the real catalog (catalogKnex)');
    await catalogScheduler.triggerTask('machine-identity-catalog-poll');
  };
  const http = request(backend.server);
  /** Starts a scan of `sourceId` and waits for its run to finish; returns the run. */
  const scan = async (sourceId: string, onResponse: (text: string) => void = () => {}) => {
    const res = await http.post(`${API}/sources/${sourceId}/scan`).set('Authorization', AUTH);
    if (res.status !== 202) throw new Error(`scan of ${sourceId} answered ${res.status}`);
    onResponse(res.text);
    for (let i = 0; i < 400; i++) {
      const run = await http.get(`${API}/scans/${res.body.scanId}`).set('Authorization', AUTH);
      onResponse(run.text);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`scan of ${sourceId} did not finish`);
  };
  /** GETs an API path with a user's credentials. */
  const get = (path: string) => http.get(`${API}${path}`).set('Authorization', AUTH);
  return { backend, http, scan, get, pollCatalog };
}
