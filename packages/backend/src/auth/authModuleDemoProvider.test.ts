import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { DEMO_USER_HEADER } from './authModuleDemoProvider';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bob', namespace: 'default' },
    spec: { memberOf: ['payments'] },
    relations: [{ type: 'memberOf', targetRef: 'group:default/payments' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
];

async function start(environment: string) {
  return startTestBackend({
    features: [
      import('@backstage/plugin-auth-backend'),
      import('./authModuleDemoProvider'),
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { environment, providers: { demo: { users: ['user:default/bob', 'user:default/carol'] } } },
        },
      }),
    ],
  });
}

function payload(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('the demo sign-in provider', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('signs a listed catalog user in with their Groups, and refuses others', async () => {
    process.env.NODE_ENV = 'development';
    const backend = await start('development');
    try {
      const http = request(backend.server);
      const res = await http.get('/api/auth/demo/refresh').set(DEMO_USER_HEADER, 'user:default/bob');
      expect(res.status).toBe(200);
      expect(res.body.backstageIdentity.identity).toMatchObject({
        userEntityRef: 'user:default/bob',
        ownershipEntityRefs: expect.arrayContaining(['user:default/bob', 'group:default/payments']),
      });
      expect(payload(res.body.backstageIdentity.token)).toMatchObject({ sub: 'user:default/bob' });

      expect((await http.get('/api/auth/demo/refresh').set(DEMO_USER_HEADER, 'user:default/mallory')).status).toBe(401);
      expect((await http.get('/api/auth/demo/refresh')).status).toBe(401);
      // listed but not in the catalog: no token
      expect((await http.get('/api/auth/demo/refresh').set(DEMO_USER_HEADER, 'carol')).ok).toBe(false);
    } finally {
      await backend.stop();
    }
  });

  it('refuses every sign-in outside demo mode', async () => {
    process.env.NODE_ENV = 'production';
    const backend = await start('production');
    try {
      const res = await request(backend.server).get('/api/auth/demo/refresh').set(DEMO_USER_HEADER, 'user:default/bob');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/only available when the portal runs in demo mode/);
    } finally {
      await backend.stop();
    }
  });
});
