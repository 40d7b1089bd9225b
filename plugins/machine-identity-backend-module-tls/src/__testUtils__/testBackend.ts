import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import machineIdentityModuleTls from '../index';

const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

/**
 * Starts the real machine-identity backend plugin with this module (and any
 * `features`) on `knex`, an empty catalog and `machineIdentity` config (the
 * fallback owner filled in). Returns the backend and a scan helper.
 */
export async function startModuleBackend(options: {
  knex: Knex;
  machineIdentity: Record<string, unknown>;
  features?: BackendFeature[];
  noAuthDefaults?: boolean;
}) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleTls,
      ...(options.features ?? []),
      mockServices.database.factory({ knex: options.knex }),
      ...(options.noAuthDefaults ? [] : [mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })]),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: { machineIdentity: { fallbackOwner: 'group:default/security', ...options.machineIdentity } },
      }),
    ],
  });
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
  return { backend, http, scan, get };
}
