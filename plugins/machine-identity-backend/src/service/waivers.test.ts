import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  discovery,
  scanPlans,
  testScannerModule,
  yields,
} from '../__testUtils__/testScannerModule';
import { machineIdentityPlugin } from '../plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const USER = mockCredentials.user.header('user:default/alice');
const SERVICE = mockCredentials.service.header();
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** identity-1 has a 1024-bit RSA key (tls.key-size); identity-2 is compliant with it. */
const inventory = yields(
  discovery(1, { attributes: { subject: 'CN=identity-1.example.test', keyAlgorithm: 'rsa', keySize: 1024 } }),
  discovery(2),
);

async function start(knex: Knex, options: { deny?: boolean } = {}) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      ...(options.deny ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })] : []),
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
  const http = request(backend.server);
  const get = (path: string) => http.get(`${API}${path}`).set('Authorization', USER);
  const waive = (id: string, body: unknown, auth = USER) =>
    http.post(`${API}/identities/${encodeURIComponent(id)}/waivers`).set('Authorization', auth).send(body as object);
  const scan = async () => {
    const res = await http.post(`${API}/sources/alpha/scan`).set('Authorization', USER);
    expect(res.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const run = await get(`/scans/${res.body.scanId}`);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('scan did not finish');
  };
  const identityId = async (n: number) => {
    const res = await get(`/identities?q=identity-${n}.example.test`);
    expect(res.body.items).toHaveLength(1);
    return res.body.items[0].id as string;
  };
  const openRules = async (id: string) =>
    ((await get(`/identities/${id}`)).body.violations as Array<{ ruleId: string }>).map(v => v.ruleId);
  return { backend, get, waive, scan, identityId, openRules };
}

describe('POST /identities/:id/waivers', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'waives a violation at once, records the approving user in the history, and keeps it waived across scans (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, get, waive, scan, identityId, openRules } = await start(knex);
      try {
        scanPlans.set('alpha', inventory);
        expect((await scan()).status).toBe('succeeded');
        const id = await identityId(1);
        expect(await openRules(id)).toContain('tls.key-size');

        const expiresAt = inDays(30);
        const res = await waive(id, { ruleId: 'tls.key-size', reason: 'HSM cannot hold larger keys until Q3', expiresAt });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          id: expect.any(String),
          identityId: id,
          ruleId: 'tls.key-size',
          reason: 'HSM cannot hold larger keys until Q3',
          approver: 'user:default/alice',
          expiresAt,
          createdAt: expect.any(String),
        });

        // resolved by the grant itself, before any scan or scheduled evaluation
        expect(await openRules(id)).not.toContain('tls.key-size');
        expect((await get('/violations?ruleId=tls.key-size')).body.items).toEqual([]);
        const history = (await get(`/identities/${id}`)).body.history as Array<Record<string, string>>;
        const granted = history.find(h => h.action === 'waiver-added');
        expect(granted).toMatchObject({ actor: 'user:default/alice' });
        expect(granted!.message).toContain('tls.key-size');
        expect(granted!.message).toContain('HSM cannot hold larger keys until Q3');
        expect(granted!.message).toContain(expiresAt);
        expect(history.some(h => h.action === 'violation-resolved' && h.message.startsWith('tls.key-size'))).toBe(true);
        const stored = await knex('waivers').where({ identity_id: id });
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ rule_id: 'tls.key-size', approver: 'user:default/alice', expires_at: expiresAt });

        // a later scan re-evaluates the identity and honours the waiver
        expect((await scan()).status).toBe('succeeded');
        expect(await openRules(id)).not.toContain('tls.key-size');

        // an expiry with an offset is stored as UTC ISO-8601 (expiries are compared as strings)
        const other = await identityId(2);
        const day = new Date(Date.now() + 100 * DAY).toISOString().slice(0, 10);
        const offset = await waive(other, { ruleId: 'any.orphan', reason: 'owned by the platform team', expiresAt: `${day}T02:00:00+02:00` });
        expect(offset.status).toBe(201);
        expect(offset.body.expiresAt).toBe(`${day}T00:00:00.000Z`);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'rejects invalid waivers with 400 and a message, unknown identities with 404, service principals and missing permission with 403 (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, waive, scan, identityId } = await start(knex);
      try {
        scanPlans.set('alpha', inventory);
        await scan();
        const id = await identityId(1);
        const valid = { ruleId: 'tls.key-size', reason: 'legacy appliance', expiresAt: inDays(30) };

        const cases: Array<[unknown, RegExp]> = [
          [{ ...valid, ruleId: 'tls.no-such-rule' }, /Unknown rule "tls.no-such-rule"/],
          [{ ...valid, ruleId: undefined }, /needs a ruleId/],
          [{ ...valid, reason: undefined }, /needs a reason/],
          [{ ...valid, reason: ' ok ' }, /needs a reason/],
          [{ ...valid, expiresAt: undefined }, /needs an expiry/],
          [{ ...valid, expiresAt: 'next week' }, /not an ISO-8601 date/],
          [{ ...valid, expiresAt: inDays(-1) }, /must expire in the future/],
          [{ ...valid, expiresAt: inDays(366) }, /at most 365 days/],
          [{ ...valid, reason: 42 }, /reason must be a string/],
          [{ ...valid, approver: 'user:default/mallory' }, /Unknown field "approver"/],
          [[valid], /Expected a JSON object/],
        ];
        for (const [body, message] of cases) {
          const res = await waive(id, body);
          expect({ body, status: res.status }).toEqual({ body, status: 400 });
          expect(res.body.error).toMatchObject({ name: 'InputError', message: expect.stringMatching(message) });
        }

        const unknown = await waive('no-such-identity', valid);
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.name).toBe('NotFoundError');

        const service = await waive(id, valid, SERVICE);
        expect(service.status).toBe(403);
        expect(service.body.error).toMatchObject({
          name: 'NotAllowedError',
          message: expect.stringMatching(/separation-of-duties checks apply to user principals only/),
        });

        expect(await knex('waivers').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
        expect(Number((await knex('waivers').count({ n: '*' }).first())!.n)).toBe(0);
      } finally {
        await backend.stop();
      }

      const denied = await start(knex, { deny: true });
      try {
        const res = await denied.waive('any-id', { ruleId: 'tls.key-size', reason: 'legacy appliance', expiresAt: inDays(30) });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe('Missing permission machine-identity.review');
      } finally {
        await denied.backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'reopens the violation on the first evaluation after the waiver expires (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, get, waive, scan, identityId, openRules } = await start(knex);
      try {
        scanPlans.set('alpha', inventory);
        await scan();
        const id = await identityId(1);
        const expiresAt = new Date(Date.now() + 2000).toISOString();
        const res = await waive(id, { ruleId: 'tls.key-size', reason: 'replacement is being rolled out', expiresAt });
        expect(res.status).toBe(201);
        expect(await openRules(id)).not.toContain('tls.key-size');

        await new Promise(r => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + 50));
        // nothing reopens by itself: the next evaluation (here after a scan) does it
        expect((await scan()).status).toBe('succeeded');
        expect(await openRules(id)).toContain('tls.key-size');
        const actions = ((await get(`/identities/${id}`)).body.history as Array<{ action: string; message: string }>)
          .filter(h => h.message.startsWith('tls.key-size') || h.action === 'waiver-added')
          .map(h => h.action);
        // newest first: reopened after the waiver resolved it
        expect(actions).toEqual(['violation-opened', 'violation-resolved', 'waiver-added', 'violation-opened']);
      } finally {
        await backend.stop();
      }
    },
  );
});
