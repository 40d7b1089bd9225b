import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { specCheckingClient } from '../__testUtils__/specCheckingProxy';
import { API, ownedBy, startReviewsBackend } from './__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

/**
 * The review, reassignment, waiver, audit and evidence routes called through
 * backend-openapi-utils' validating proxy: every request and answer is
 * checked against openapi.yaml, so a handler that sends what the spec does
 * not describe fails the run. Body limits are per route: decision batches may
 * be large, everything else stops at 16 kB.
 */
describe('review, audit and evidence routes against the OpenAPI spec', () => {
  it.each(databases.eachSupportedId())('answer in the shapes openapi.yaml gives, errors included (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    const portal = await startReviewsBackend(knex);
    try {
      await portal.scan(ownedBy('payments', 3, 0));
      const proxied = await specCheckingClient(portal.backend);
      const get = (path: string, user = 'bob') => proxied.get(`${API}${path}`).set('Authorization', as(user));
      const post = (path: string, body: unknown, user = 'bob') =>
        proxied.post(`${API}${path}`).set('Authorization', as(user)).send(body as object);

      const opened = await post('/reviews/campaigns', { owner: 'payments', dueInDays: 10 }, 'erin');
      expect(opened.status).toBe(201);
      const campaign = opened.body.items[0];
      expect(campaign).toMatchObject({ owner: 'group:default/payments', progress: { total: 3 } });
      expect((await get('/reviews/campaigns?owner=payments&state=open')).body.items.map((c: any) => c.id)).toEqual([campaign.id]);
      const details = await get(`/reviews/campaigns/${campaign.id}?decision=undecided&limit=2`);
      expect(details.body.items).toHaveLength(2);
      expect(details.body.nextCursor).toEqual(expect.any(String));
      const [a, b, c] = (await get(`/reviews/campaigns/${campaign.id}?q=example`)).body.items.map((i: any) => i.identityId);
      expect(c).toEqual(expect.any(String));

      const decided = await post(`/reviews/campaigns/${campaign.id}/decisions`, {
        decisions: [
          { identityId: a, decision: 'confirm' },
          { identityId: b, decision: 'reassign', toOwner: 'identity', comment: 'Identity runs SSO' },
        ],
      });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ decided: 2, campaign: { progress: { decided: 2 } } });
      const [reassignmentId] = decided.body.reassignmentIds;
      expect((await get('/reassignments?awaitingMe=true', 'carol')).body.items.map((r: any) => r.id)).toEqual([reassignmentId]);
      expect((await get('/reassignments?toOwner=identity&state=pending')).body.items).toHaveLength(1);
      expect((await post(`/reassignments/${reassignmentId}/accept`, { comment: 'ours' }, 'carol')).body.state).toBe('accepted');

      const waiver = await post(`/identities/${c}/waivers`, { ruleId: 'any.review-overdue', reason: 'audited elsewhere', expiresAt: inDays(30) });
      expect(waiver.status).toBe(201);
      expect((await get('/waiver-requests?awaitingMe=true', 'erin')).body.items.map((w: any) => w.id)).toEqual([waiver.body.id]);
      expect((await get(`/waiver-requests?state=requested&owner=payments&identityId=${c}`)).body.items).toHaveLength(1);
      expect((await post(`/waiver-requests/${waiver.body.id}/approve`, {}, 'erin')).body.state).toBe('approved');

      const audit = await get(`/audit?campaignId=${campaign.id}&from=2026-01-01T00:00:00Z&limit=50`);
      expect(audit.body.items.map((e: any) => e.action)).toEqual(expect.arrayContaining(['review-confirmed', 'review-reassignment-requested']));
      const evidence = await get('/evidence?owner=payments&format=json', 'erin');
      expect(evidence.status).toBe(200);
      expect(JSON.parse(evidence.text).review_decisions).toHaveLength(2);

      // errors, in the spec's shapes; the spec's checks run before any handler
      const invalid = [
        await get('/reviews/campaigns?state=finished'),
        await get(`/reviews/campaigns/${campaign.id}?limit=0`),
        await get('/audit?from=yesterday'),
        await get('/reassignments?awaitingMe=maybe'),
        await get('/evidence?format=xlsx', 'erin'),
        await post(`/reviews/campaigns/${campaign.id}/decisions`, { decisions: [{ identityId: c, decision: 'approve' }] }),
        await post(`/reviews/campaigns/${campaign.id}/decisions`, { decisions: [] }),
        await post(`/reassignments/${reassignmentId}/reject`, { comment: 'x', by: 'mallory' }, 'carol'),
      ];
      expect(invalid.map(r => [r.status, r.body.error?.name])).toEqual(invalid.map(() => [400, 'InputError']));
      expect((await post(`/reviews/campaigns/${campaign.id}/decisions`, { decisions: [{ identityId: a, decision: 'confirm' }] })).status).toBe(409);
      expect((await get('/reviews/campaigns/no-such-campaign')).status).toBe(404);
      expect((await proxied.get(`${API}/audit`)).status).toBe(401);
    } finally {
      await portal.stop();
    }
  });

  it('takes decision batches up to 1 MB and every other body up to 16 kB (larger: 400, as the router answers every refused body)', async () => {
    const knex = await databases.init('SQLITE_3');
    const portal = await startReviewsBackend(knex);
    try {
      await portal.scan(ownedBy('payments', 1, 0));
      const campaign = await portal.openCampaign('payments');
      const comment = 'x'.repeat(2000);
      // 300 decisions with long comments: ~640 kB, refused only for what they say (no such items), not their size
      const large = { decisions: Array.from({ length: 300 }, (_, i) => ({ identityId: `missing-${i}`, decision: 'revoke', comment })) };
      const batch = await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, large);
      expect(batch.status).toBe(400);
      expect(batch.body.error.message).toMatch(/Not in campaign/);
      const tooLarge = { decisions: Array.from({ length: 600 }, (_, i) => ({ identityId: `missing-${i}`, decision: 'revoke', comment })) };
      const refused = await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, tooLarge);
      expect([refused.status, refused.body.error.message]).toEqual([400, 'request entity too large']);
      // a waiver request of 20 kB is refused for its size
      const [item] = await portal.items(campaign.id);
      const waiver = await portal.post(`/identities/${item.identityId}/waivers`, { ruleId: 'any.orphan', reason: 'y'.repeat(20_000), expiresAt: inDays(3) });
      expect([waiver.status, waiver.body.error.message]).toEqual([400, 'request entity too large']);
    } finally {
      await portal.stop();
    }
  });
});
