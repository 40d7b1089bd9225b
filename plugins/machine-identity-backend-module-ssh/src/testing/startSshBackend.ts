import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import { machineIdentityModuleSsh } from '../module';

/**
 * The real machine-identity backend plugin with this module on `knex`,
 * configured with `machineIdentity` (fallback owner preset), and a helper
 * that starts a scan of a source and waits for its run to end.
 */
export async function startSshBackend(knex: Knex, machineIdentity: Record<string, unknown>) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleSsh,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: { machineIdentity: { fallbackOwner: 'group:default/security', ...machineIdentity } },
      }),
    ],
  });
  const http = request(backend.server);
  const auth = mockCredentials.user.header();
  const scan = async (sourceId: string) => {
    const res = await http.post(`/api/machine-identity/sources/${sourceId}/scan`).set('Authorization', auth);
    expect(res.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const run = await http.get(`/api/machine-identity/scans/${res.body.scanId}`).set('Authorization', auth);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('scan did not finish');
  };
  return { backend, http, auth, scan };
}
