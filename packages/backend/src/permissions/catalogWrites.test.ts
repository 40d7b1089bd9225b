import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';

/** Alice is in payments, Erin in security (an admin group). */
const MEMBERS: Record<string, string[]> = {
  'user:default/alice': ['group:default/payments'],
  'user:default/erin': ['group:default/security'],
};
const userGroups = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef as string;
      return { userEntityRef: ref, ownershipEntityRefs: [ref, ...(MEMBERS[ref] ?? [])] };
    },
  }),
});

describe('catalog writes under the portal policy (real catalog and permission backend)', () => {
  it('refuses a location registered by a non-admin and lets an admin register one', async () => {
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        import('@backstage/plugin-permission-backend'),
        import('./permissionModuleKeyringPolicy'),
        permissionsServiceFactory,
        userGroups,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            permission: { enabled: true },
            keyring: { permissions: { adminGroups: ['group:default/security'] } },
          },
        }),
      ],
    });
    try {
      const http = request(backend.server);
      const register = (user: string) =>
        http
          .post('/api/catalog/locations')
          .set('Authorization', mockCredentials.user.header(user))
          .send({ type: 'url', target: 'https://example.test/forged-machine-identities.yaml' });
      const refused = await register('user:default/alice');
      expect(refused.status).toBe(403);
      expect(refused.body.error.name).toBe('NotAllowedError');
      expect((await register('user:default/erin')).status).toBe(201);
    } finally {
      await backend.stop();
    }
  });
});
