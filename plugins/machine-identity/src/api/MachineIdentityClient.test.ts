import { MockFetchApi } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MachineIdentityClient } from './MachineIdentityClient';

const baseUrl = 'http://127.0.0.1:7007/api/machine-identity';

const identity: Identity = {
  id: 'id-1',
  type: 'tls-certificate',
  fingerprintSha256: 'ab'.repeat(32),
  displayName: 'api.payments.example.test',
  ownershipRule: 'component-annotation',
  state: 'active',
  management: 'manual',
  firstSeen: '2026-01-01T00:00:00Z',
  lastSeen: '2026-11-01T00:00:00Z',
  observationCount: 2,
  violationCount: 1,
  reviewStatus: 'due',
};

const server = setupServer();

describe('MachineIdentityClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const discoveryApi = {
    getBaseUrl: vi.fn(async (pluginId: string) => {
      expect(pluginId).toBe('machine-identity');
      return baseUrl;
    }),
  };
  const client = new MachineIdentityClient({
    discoveryApi,
    fetchApi: new MockFetchApi({
      injectIdentityAuth: { token: 'user-token' },
    }),
  });

  it('sends every identity filter as a query parameter and parses the page', async () => {
    let seen: URL | undefined;
    let auth: string | null = null;
    server.use(
      http.get(`${baseUrl}/identities`, ({ request }) => {
        seen = new URL(request.url);
        auth = request.headers.get('authorization');
        return HttpResponse.json({ items: [identity], nextCursor: 'c2' });
      }),
    );
    const page = await client.listIdentities({
      type: 'tls-certificate',
      owner: 'group:default/payments',
      entityRef: 'component:default/payments-api',
      state: 'active',
      expiresWithinDays: 30,
      violating: true,
      q: 'api payments',
      cursor: 'c1',
      limit: 50,
    });
    expect(page).toEqual({ items: [identity], nextCursor: 'c2' });
    expect(Object.fromEntries(seen!.searchParams)).toEqual({
      type: 'tls-certificate',
      owner: 'group:default/payments',
      entityRef: 'component:default/payments-api',
      state: 'active',
      expiresWithinDays: '30',
      violating: 'true',
      q: 'api payments',
      cursor: 'c1',
      limit: '50',
    });
    expect(auth).toBe('Bearer user-token');
  });

  it('omits unset filters and sends expiresWithinDays=0', async () => {
    let search = 'unset';
    server.use(
      http.get(`${baseUrl}/identities`, ({ request }) => {
        search = new URL(request.url).search;
        return HttpResponse.json({ items: [] });
      }),
    );
    await client.listIdentities({ q: '', type: undefined, expiresWithinDays: 0 });
    expect(search).toBe('?expiresWithinDays=0');
    const page = await client.listIdentities();
    expect(search).toBe('');
    expect(page.nextCursor).toBeUndefined();
  });

  it('encodes opaque ids in paths', async () => {
    let path = '';
    server.use(
      http.get(`${baseUrl}/identities/:id`, ({ request }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ ...identity, observations: [], violations: [], history: [] });
      }),
    );
    const details = await client.getIdentity('a/b c');
    expect(path).toBe('/api/machine-identity/identities/a%2Fb%20c');
    expect(details.observations).toEqual([]);
  });

  it('turns error responses into ResponseError with the backend message', async () => {
    server.use(
      http.get(`${baseUrl}/identities/:id`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No identity missing' },
            request: { method: 'GET', url: '/identities/missing' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    const error = await client.getIdentity('missing').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
    expect(error.message).toContain('404');
    expect(error.body.error.message).toBe('No identity missing');
  });

  it('starts a scan with POST and reads scan runs', async () => {
    let method = '';
    server.use(
      http.post(`${baseUrl}/sources/:id/scan`, ({ request, params }) => {
        method = request.method;
        expect(params.id).toBe('corp-tls');
        return HttpResponse.json({ scanId: 's-1' }, { status: 202 });
      }),
      http.get(`${baseUrl}/scans/:scanId`, ({ params }) =>
        HttpResponse.json({
          id: params.scanId,
          sourceId: 'corp-tls',
          status: 'running',
          startedAt: '2026-11-25T10:00:00Z',
          seen: 3,
          added: 1,
          retired: 0,
          errors: [],
        }),
      ),
    );
    expect(await client.triggerScan('corp-tls')).toEqual({ scanId: 's-1' });
    expect(method).toBe('POST');
    expect((await client.getScan('s-1')).status).toBe('running');
  });

  it('reads summary, sources, violations and policy in the shapes the spec gives', async () => {
    let violationSearch = '';
    server.use(
      http.get(`${baseUrl}/summary`, () =>
        HttpResponse.json({ total: 3, byType: {}, byState: {}, owned: 2, orphaned: 1, byManagement: {}, managedShare: 0.5, violating: 1, expiring: { expired: 0, within7Days: 1, within30Days: 1, within90Days: 2 }, byRule: { 'tls.expiry': 1 } }),
      ),
      http.get(`${baseUrl}/sources`, () =>
        HttpResponse.json({ items: [{ id: 'corp-tls', type: 'tls' }] }),
      ),
      http.get(`${baseUrl}/violations`, ({ request }) => {
        violationSearch = new URL(request.url).search;
        return HttpResponse.json({ items: [] });
      }),
      http.get(`${baseUrl}/policy`, () =>
        HttpResponse.json([{ id: 'tls.expiry', appliesTo: ['tls-certificate'], description: 'Expiry', enabled: true, parameters: {} }]),
      ),
    );
    const summary = await client.getSummary();
    expect(summary.orphaned).toBe(1);
    expect(summary.byRule).toEqual({ 'tls.expiry': 1 });
    expect(await client.listSources()).toEqual([{ id: 'corp-tls', type: 'tls' }]);
    await client.listViolations({ entityRef: 'component:default/a', ruleId: 'tls.expiry', limit: 10 });
    expect(violationSearch).toBe('?entityRef=component%3Adefault%2Fa&ruleId=tls.expiry&limit=10');
    expect((await client.getPolicy()).map(r => r.id)).toEqual(['tls.expiry']);
  });
});
