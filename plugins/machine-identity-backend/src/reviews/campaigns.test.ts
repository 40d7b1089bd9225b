import { TestDatabases } from '@backstage/backend-test-utils';
import { ownedBy, startReviewsBackend } from './__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('ownership review campaigns', () => {
  it.each(databases.eachSupportedId())(
    'opens one campaign per owning Group with its active identities, orphans in the fallback Group, admin only (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan([...ownedBy('payments', 5, 0), ...ownedBy('identity', 2, 10), ...ownedBy(undefined, 3, 20)]);

        const refused = await portal.post('/reviews/campaigns', {}, 'bob');
        expect(refused.status).toBe(403);
        expect(refused.body.error.message).toBe('Missing permission machine-identity.review.campaign.create');

        const since = (await portal.get('/changes?since=0&limit=1000', 'erin')).body.nextSince;
        const opened = await portal.post('/reviews/campaigns', {}, 'erin');
        expect(opened.status).toBe(201);
        const byOwner = Object.fromEntries(
          (opened.body.items as Array<{ owner: string; progress: { total: number } }>).map(c => [c.owner, c.progress.total]),
        );
        expect(byOwner).toEqual({ 'group:default/identity': 2, 'group:default/payments': 5, 'group:default/security': 3 });

        const listed = await portal.get('/reviews/campaigns?owner=group:default/payments');
        expect(listed.body.items).toHaveLength(1);
        const campaign = listed.body.items[0];
        expect(campaign).toMatchObject({
          state: 'open',
          openedBy: 'user:default/erin',
          progress: { total: 5, decided: 0, confirmed: 0, reassigned: 0, revoked: 0, remaining: 5 },
        });
        expect(Date.parse(campaign.dueAt) - Date.parse(campaign.openedAt)).toBe(30 * 86_400_000);

        const details = await portal.get(`/reviews/campaigns/${campaign.id}?limit=2`);
        expect(details.status).toBe(200);
        expect(details.body.items).toHaveLength(2);
        expect(details.body.items[0]).toMatchObject({ owner: 'group:default/payments', reviewStatus: 'due' });
        const next = await portal.get(`/reviews/campaigns/${campaign.id}?limit=2&cursor=${details.body.nextCursor}`);
        expect(next.body.items.map((i: any) => i.identityId)).not.toContain(details.body.items[0].identityId);

        // reviewStatus is visible on the identity itself, and in the change feed the catalog entities follow
        const identity = await portal.get(`/identities/${details.body.items[0].identityId}`);
        expect(identity.body.reviewStatus).toBe('due');
        const feed = (await portal.get(`/changes?since=${since}&limit=1000`, 'erin')).body.items as Array<Record<string, any>>;
        expect(feed).toHaveLength(10);
        expect(feed.every(c => c.reviewStatus === 'due')).toBe(true);
        expect(new Set(feed.map(c => c.changeSeq)).size).toBe(feed.length);

        // an admin reopening one Group closes its unfinished campaign
        const again = await portal.post('/reviews/campaigns', { owner: 'group:default/payments', dueInDays: 7 }, 'erin');
        expect(again.status).toBe(201);
        const states = (await portal.get('/reviews/campaigns?owner=group:default/payments')).body.items.map((c: any) => c.state);
        expect(states).toEqual(['open', 'closed']);

        const audit = await portal.get('/audit?actor=user:default/erin');
        expect(audit.body.items.map((e: any) => e.action)).toEqual(
          expect.arrayContaining(['review-campaign-opened', 'review-campaign-closed']),
        );
        expect((await portal.get('/reviews/campaigns/no-such-campaign')).status).toBe(404);
      } finally {
        await portal.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'the scheduled run opens campaigns for Groups not reviewed within reviews.every, once (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan([...ownedBy('payments', 2, 0)]);
        await portal.runReviewsTask();
        await portal.runReviewsTask();
        const campaigns = (await portal.get('/reviews/campaigns')).body.items;
        expect(campaigns).toHaveLength(1);
        expect(campaigns[0]).toMatchObject({ owner: 'group:default/payments', openedBy: 'schedule', state: 'open' });
      } finally {
        await portal.stop();
      }
    },
  );
});
