import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { specCheckingClient } from '../__testUtils__/specCheckingProxy';
import { discovery, scanPlans, testScannerModule, yields } from '../__testUtils__/testScannerModule';
import { typeRuleModules } from '../__testUtils__/typeRuleModules';
import { machineIdentityPlugin } from '../plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const USER = mockCredentials.user.header('user:default/alice');
const SERVICE = mockCredentials.service.header();

/**
 * Every operation of the spec, called through backend-openapi-utils' proxy,
 * which checks each request and response against openapi.yaml: a field the
 * router sends that the spec does not describe the same way fails the run.
 */
describe('the REST API against its OpenAPI spec', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())('answers every route in the shapes openapi.yaml gives (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    const backend = await startTestBackend({
      features: [
        machineIdentityPlugin,
        testScannerModule,
        ...typeRuleModules,
        mockServices.database.factory({ knex }),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            machineIdentity: {
              fallbackOwner: 'group:default/security',
              sources: [{ id: 'alpha', type: 'test', schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } }],
            },
          },
        }),
      ],
    });
    try {
      const proxied = await specCheckingClient(backend);
      const get = (path: string, auth = USER) => proxied.get(`${API}${path}`).set('Authorization', auth);
      scanPlans.set(
        'alpha',
        yields(
          discovery(1, { type: 'tls-certificate', attributes: { subject: 'CN=identity-1.example.test', keyAlgorithm: 'rsa', keySize: 1024, notAfter: new Date(Date.now() + 5 * 86_400_000).toISOString(), sans: ['identity-1.example.test'] }, ownerHint: { owner: 'group:default/payments', via: 'test' } }),
          discovery(2, { type: 'ssh-key', attributes: { keyAlgorithm: 'ed25519', comment: 'deploy@ci' } }),
        ),
      );

      expect((await proxied.get(`${API}/health`)).body).toEqual({ status: 'ok' });
      const started = await proxied.post(`${API}/sources/alpha/scan`).set('Authorization', USER);
      expect(started.status).toBe(202);
      let run = await get(`/scans/${started.body.scanId}`);
      for (let i = 0; i < 200 && run.body.status === 'running'; i++) {
        await new Promise(r => setTimeout(r, 50));
        run = await get(`/scans/${started.body.scanId}`);
      }
      expect(run.body.status).toBe('succeeded');

      const page = await get('/identities?limit=1');
      expect(page.body.items).toHaveLength(1);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      expect((await get(`/identities?cursor=${page.body.nextCursor}&type=ssh-key&violating=true&expiresWithinDays=0`)).status).toBe(200);
      const [tls] = (await get('/identities?q=identity-1')).body.items;
      const details = await get(`/identities/${tls.id}`);
      expect(details.body.observations).toHaveLength(1);
      expect(details.body.violations.map((v: any) => v.ruleId)).toContain('tls.key-size');

      const summary = await get('/summary');
      expect(summary.body.byRule['tls.key-size']).toBe(1);
      expect((await get('/sources')).body.items[0]).toMatchObject({ id: 'alpha', lastRun: { status: 'succeeded' } });
      expect((await get('/violations?ruleId=tls.key-size')).body.items).toHaveLength(1);
      expect((await get('/policy')).body.length).toBeGreaterThan(0);
      const changes = await get('/changes?since=0&limit=1', SERVICE);
      expect(changes.body).toMatchObject({ hasMore: true, nextSince: expect.any(Number) });

      // error answers are described too
      expect((await get('/identities?limit=abc')).status).toBe(400);
      expect((await get('/identities/no-such-id')).status).toBe(404);
      expect((await proxied.get(`${API}/summary`)).status).toBe(401);
    } finally {
      await backend.stop();
    }
  });
});
