import { TestDatabases, mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import keyringPolicy from '../../../../packages/backend/src/permissions/permissionModuleKeyringPolicy';
import { realPermissionServices, userInfoFromTable } from '../__testUtils__/permissionTestServices';
import { discovery, scanPlans, testScannerModule, yields } from '../__testUtils__/testScannerModule';
import { machineIdentityPlugin } from '../plugin';

/*
 * The revocation routes under the portal's own per-team policy
 * (packages/backend KeyringPermissionPolicy) and the real permission backend:
 * requests are read as identity details are, so the `isOwner` condition
 * becomes a query filter on the request's identity; approve and reject are for
 * the owning team and admins.
 */

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['user:default/alice', 'group:default/payments'],
  'user:default/bob': ['user:default/bob', 'group:default/payments'],
  'user:default/sam': ['user:default/sam', 'group:default/search'],
  'user:default/sue': ['user:default/sue', 'group:default/search'],
  'user:default/ada': ['user:default/ada', 'group:default/security'],
};
const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);
const SERVICE = mockCredentials.service.header();

/** 1: payments' certificate, 2: search's certificate. */
const inventory = yields(
  discovery(1, { type: 'tls-certificate', ownerHint: { owner: 'group:default/payments', via: 'test' } }),
  discovery(2, { type: 'tls-certificate', ownerHint: { owner: 'group:default/search', via: 'test' } }),
);

async function startPortal(knex: Awaited<ReturnType<typeof databases.init>>, otherTeams: 'summary' | 'full') {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      ...realPermissionServices,
      keyringPolicy,
      userInfoFromTable(GROUPS),
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          keyring: { permissions: { adminGroups: ['group:default/security'], otherTeams } },
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            sources: [{ id: 'alpha', type: 'test', schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } }],
            revocation: { schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } },
          },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const get = (path: string, user: string) => http.get(`${API}${path}`).set('Authorization', as(user));
  const post = (path: string, user: string, body: object = {}) => http.post(`${API}${path}`).set('Authorization', as(user)).send(body);
  scanPlans.set('alpha', inventory);
  const started = await http.post(`${API}/sources/alpha/scan`).set('Authorization', SERVICE);
  expect(started.status).toBe(202);
  for (let i = 0; i < 200 && (await http.get(`${API}/scans/${started.body.scanId}`).set('Authorization', SERVICE)).body.status === 'running'; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  const all = (await http.get(`${API}/identities`).set('Authorization', SERVICE)).body.items as Array<{ id: string; displayName: string }>;
  const idOf = (n: number) => all.find(i => i.displayName === `identity-${n}.example.test`)!.id;
  const payments = await post('/revocations', 'alice', { identityId: idOf(1), reason: 'payments-api retired' });
  const search = await post('/revocations', 'sam', { identityId: idOf(2), reason: 'search-indexer retired' });
  expect([payments.status, search.status]).toEqual([201, 201]);
  return { backend, get, post, payments: payments.body.id as string, search: search.body.id as string };
}

const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map(r => r.id).sort();

describe('revocation routes under the per-team policy', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'lists and reads only the own team’s requests (admins all), and lets only the owning team or an admin decide (%p)',
    async databaseId => {
      const portal = await startPortal(await databases.init(databaseId), 'summary');
      try {
        const { get, post, payments, search } = portal;
        expect(ids(await get('/revocations', 'alice'))).toEqual([payments]);
        expect(ids(await get('/revocations', 'sam'))).toEqual([search]);
        expect(ids(await get('/revocations', 'ada'))).toEqual([payments, search].sort());
        // the filter is in the query, so a page of one is still the caller's first request
        const page = await get('/revocations?limit=1', 'sam');
        expect(ids(page)).toEqual([search]);
        expect(page.body.nextCursor).toBeUndefined();
        expect(ids(await get('/revocations?state=requested', 'alice'))).toEqual([payments]);

        expect((await get(`/revocations/${payments}`, 'bob')).status).toBe(200);
        expect((await get(`/revocations/${payments}`, 'sam')).status).toBe(404);
        expect((await get(`/revocations/${search}`, 'alice')).status).toBe(404);

        // another team's request is not theirs to decide (not even visible)
        expect((await post(`/revocations/${payments}/approve`, 'sam')).status).toBe(404);
        expect((await post(`/revocations/${payments}/reject`, 'sue', { comment: 'not yours' })).status).toBe(404);
        expect((await get(`/revocations/${payments}`, 'ada')).body.state).toBe('requested');
        // the requester may not approve; a second member of the owning team may
        expect((await post(`/revocations/${payments}/approve`, 'alice')).status).toBe(403);
        const approved = await post(`/revocations/${payments}/approve`, 'bob', { comment: 'retired' });
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'user:default/bob' });
        // an admin outside the owning team decides too
        const rejected = await post(`/revocations/${search}/reject`, 'ada', { comment: 'still used by search' });
        expect(rejected.status).toBe(200);
        expect(rejected.body).toMatchObject({ state: 'rejected', decidedBy: 'user:default/ada' });
        // the Decommissioning page's requests follow the same filter
        expect((await get('/decommissioned-components', 'sam')).status).toBe(200);
      } finally {
        await portal.backend.stop();
      }
    },
  );

  it('refuses a decision on a request the caller may read but whose identity is another team’s (403)', async () => {
    const portal = await startPortal(await databases.init('SQLITE_3'), 'full');
    try {
      const { get, post, payments } = portal;
      expect((await get(`/revocations/${payments}`, 'sam')).status).toBe(200);
      const refused = await post(`/revocations/${payments}/approve`, 'sam');
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/machine-identity\.revoke\.approve .*only its owning team or an admin/);
      expect((await get(`/revocations/${payments}`, 'sam')).body.state).toBe('requested');
    } finally {
      await portal.backend.stop();
    }
  });
});
