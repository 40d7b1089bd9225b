import { TestDatabases } from '@backstage/backend-test-utils';
import { startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans, yields } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('query parameters', () => {
  afterEach(() => scanPlans.clear());

  it('accept entity refs and timestamps written as people type them (`:` and `/` unencoded), as well as encoded', async () => {
    scanPlans.set('alpha', yields(discovery(1, { type: 'tls-certificate', attributes: { keyAlgorithm: 'ecdsa' } })));
    const { backend, scan, get } = await startTestPlugin(await databases.init('SQLITE_3'));
    try {
      expect((await scan('alpha')).status).toBe('succeeded');
      for (const route of [
        '/identities?entityRef=component:default/payments-api&limit=100',
        '/identities?owner=group:default/payments',
        `/identities?entityRef=${encodeURIComponent('component:default/payments-api')}`,
        '/violations?owner=group:default/payments',
        '/audit?actor=user:default/bob&from=2026-01-01T00:00:00Z',
        '/revocations?entityRef=component:default/payments-api',
      ]) {
        const res = await get(route);
        expect({ route, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({
          route,
          status: 200,
          body: undefined,
        });
      }
    } finally {
      await backend.stop();
    }
  });
});
