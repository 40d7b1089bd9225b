import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import request from 'supertest';

const root = path.resolve(__dirname, '../../../..');
const load = (file: string) => yaml.load(fs.readFileSync(path.join(root, file), 'utf8')) as any;

/** Allows everything: whatever the token is refused, its access restrictions refused. */
const allowAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'allow-all-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({ handle: async () => ({ result: AuthorizeResult.ALLOW }) });
      },
    });
  },
});

describe('the static script token', () => {
  it('has no default outside the demo config, and is restricted wherever it is configured', () => {
    expect(load('app-config.yaml').backend.auth?.externalAccess).toBeUndefined();
    const production = load('app-config.production.yaml').backend.auth.externalAccess;
    expect(production[0].options.token).toBe('${KEYRING_TOKEN}');
    for (const access of [production, load('app-config.demo.yaml').backend.auth.externalAccess]) {
      expect(access[0].accessRestrictions).toEqual([
        { plugin: 'machine-identity', permission: ['machine-identity.read', 'machine-identity.details.read'] },
      ]);
    }
  });

  it('reads the machine-identity API, may not trigger scans and is refused by other plugins (real auth service)', async () => {
    // The config loader would substitute ${KEYRING_TOKEN:-default}; with KEYRING_TOKEN unset that is the default.
    const auth = JSON.parse(
      JSON.stringify(load('app-config.demo.yaml').backend.auth).replace(/\$\{KEYRING_TOKEN:-([^}]+)\}/g, '$1'),
    );
    const backend = await startTestBackend({
      features: [
        machineIdentityPlugin,
        import('@backstage/plugin-permission-backend'),
        allowAllPolicy,
        authServiceFactory,
        httpAuthServiceFactory,
        permissionsServiceFactory,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007', auth },
            permission: { enabled: true },
            machineIdentity: { sources: [{ id: 'alpha', type: 'test' }] },
          },
        }),
      ],
    });
    try {
      const token = 'Bearer keyring-local-dev-token';
      const http = request(backend.server);
      expect((await http.get('/api/machine-identity/summary').set('Authorization', token)).status).toBe(200);
      expect((await http.get('/api/machine-identity/identities').set('Authorization', token)).status).toBe(200);
      const scan = await http.post('/api/machine-identity/sources/alpha/scan').set('Authorization', token);
      expect(scan.status).toBe(403);
      expect(scan.body.error.message).toBe('Missing permission machine-identity.scan.trigger');
      expect((await http.post('/api/permission/authorize').set('Authorization', token).send({ items: [] })).status).toBe(403);
    } finally {
      await backend.stop();
    }
  });
});
