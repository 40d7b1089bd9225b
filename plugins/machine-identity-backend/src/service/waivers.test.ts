import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { startReviewsBackend } from '../reviews/__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const payments = { ownerHint: { owner: 'group:default/payments', via: 'test metadata' } };

/** identity-1 (payments) has a 1024-bit RSA key (tls.key-size); identity-2 is compliant with it. */
const inventory = [
  discovery(1, { ...payments, attributes: { subject: 'CN=identity-1.example.test', keyAlgorithm: 'rsa', keySize: 1024 } }),
  discovery(2, payments),
];

async function start(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const portal = await startReviewsBackend(knex);
  await portal.scan(inventory);
  const identityId = async (n: number) =>
    (await portal.get(`/identities?q=identity-${n}.example.test`)).body.items[0].id as string;
  const openRules = async (id: string) =>
    ((await portal.get(`/identities/${id}`)).body.violations as Array<{ ruleId: string }>).map(v => v.ruleId);
  const waive = (id: string, body: unknown, user = 'bob') =>
    portal.post(`/identities/${encodeURIComponent(id)}/waivers`, body, user);
  return { knex, portal, identityId, openRules, waive };
}

describe('waivers: requested by the owning team, granted by a second person', () => {
  it.each(databases.eachSupportedId())(
    'a request changes nothing until someone else approves it; the requester cannot approve their own (%p)',
    async databaseId => {
      const { knex, portal, identityId, openRules, waive } = await start(databaseId);
      try {
        const id = await identityId(1);
        expect(await openRules(id)).toContain('tls.key-size');
        const expiresAt = inDays(30);
        const body = { ruleId: 'tls.key-size', reason: 'HSM cannot hold larger keys until Q3', expiresAt };

        const outsider = await waive(id, body, 'carol');
        expect(outsider.status).toBe(403);
        expect(outsider.body.error.message).toMatch(/not a member of group:default\/payments: only its members can request waivers/);

        const requested = await waive(id, body, 'bob');
        expect(requested.status).toBe(201);
        expect(requested.body).toMatchObject({ identityId: id, state: 'requested', requestedBy: 'user:default/bob', expiresAt });
        expect(await openRules(id)).toContain('tls.key-size');
        expect((await waive(id, body, 'frank')).status).toBe(409);

        const self = await portal.post(`/waiver-requests/${requested.body.id}/approve`, {}, 'bob');
        expect(self.status).toBe(403);
        expect(self.body.error.message).toMatch(/Separation of duties: user:default\/bob requested this waiver and cannot also approve it/);
        expect((await portal.get('/waiver-requests?awaitingMe=true', 'bob')).body.items).toEqual([]);
        expect((await portal.get('/waiver-requests?awaitingMe=true', 'erin')).body.items.map((w: any) => w.id)).toEqual([
          requested.body.id,
        ]);

        const approved = await portal.post(`/waiver-requests/${requested.body.id}/approve`, { comment: 'accepted risk' }, 'erin');
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'user:default/erin', waiverId: expect.any(String) });
        // resolved by the approval itself, before any scan or scheduled evaluation
        expect(await openRules(id)).not.toContain('tls.key-size');
        const stored = await knex('waivers').where({ identity_id: id });
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ rule_id: 'tls.key-size', approver: 'user:default/erin', expires_at: expiresAt });
        expect((await portal.post(`/waiver-requests/${requested.body.id}/reject`, {}, 'erin')).status).toBe(409);

        const history = (await portal.get(`/audit?identityId=${id}`)).body.items as Array<Record<string, any>>;
        expect(history.find(e => e.action === 'waiver-requested')).toMatchObject({ actor: 'user:default/bob' });
        expect(history.find(e => e.action === 'waiver-added')).toMatchObject({
          actor: 'user:default/erin',
          comment: 'accepted risk',
          after: { waiverRequest: 'approved', ruleId: 'tls.key-size', expiresAt },
        });

        // a later scan re-evaluates the identity and honours the waiver
        await portal.scan(inventory);
        expect(await openRules(id)).not.toContain('tls.key-size');
      } finally {
        await portal.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'rejects invalid requests with 400, unknown identities with 404, services with 403; a rejection grants nothing (%p)',
    async databaseId => {
      const { knex, portal, identityId, waive } = await start(databaseId);
      try {
        const id = await identityId(1);
        const valid = { ruleId: 'tls.key-size', reason: 'legacy appliance', expiresAt: inDays(30) };
        const cases: Array<[unknown, RegExp]> = [
          [{ ...valid, ruleId: 'tls.no-such-rule' }, /Unknown rule "tls.no-such-rule"/],
          // the shape, checked by the router against openapi.yaml
          [{ ...valid, ruleId: undefined }, /request\/body must have required property 'ruleId'/],
          [{ ...valid, expiresAt: undefined }, /request\/body must have required property 'expiresAt'/],
          [{ ...valid, expiresAt: 'next week' }, /request\/body\/expiresAt must match pattern/],
          [{ ...valid, approver: 'user:default/mallory' }, /request\/body must NOT have additional properties/],
          [[valid], /request\/body must be object/],
          // the rules, checked by validateWaiver
          [{ ...valid, reason: ' ok ' }, /needs a reason/],
          [{ ...valid, expiresAt: inDays(-1) }, /must expire in the future/],
          [{ ...valid, expiresAt: inDays(366) }, /at most 365 days/],
        ];
        for (const [body, message] of cases) {
          const res = await waive(id, body);
          expect({ body, status: res.status }).toEqual({ body, status: 400 });
          expect(res.body.error.message).toMatch(message);
        }
        expect((await waive('no-such-identity', valid)).status).toBe(404);
        const service = await portal.http
          .post(`/api/machine-identity/identities/${id}/waivers`)
          .set('Authorization', mockCredentials.service.header())
          .send(valid);
        expect(service.status).toBe(403);
        expect(service.body.error.message).toMatch(/separation-of-duties checks apply to people/);

        const requested = await waive(id, valid);
        const rejected = await portal.post(`/waiver-requests/${requested.body.id}/reject`, { comment: 'rotate instead' }, 'erin');
        expect(rejected.body).toMatchObject({ state: 'rejected', decisionComment: 'rotate instead' });
        expect(Number((await knex('waivers').count({ n: '*' }).first())!.n)).toBe(0);
      } finally {
        await portal.stop();
      }
    },
  );
});
