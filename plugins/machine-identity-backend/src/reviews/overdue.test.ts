import { TestDatabases } from '@backstage/backend-test-utils';
import { ownedBy, startReviewsBackend } from './__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('overdue campaigns', () => {
  it.each(databases.eachSupportedId())(
    'raise any.review-overdue on unattested identities and escalate exactly once to the Group and its parent (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan(ownedBy('payments', 3, 0));
        const campaign = await portal.openCampaign('payments', 0);
        const [attested, ...left] = (await portal.items(campaign.id)).map(i => i.identityId as string);
        await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, {
          decisions: [{ identityId: attested, decision: 'confirm' }],
        });
        await new Promise(r => setTimeout(r, 5));

        await portal.runReviewsTask();
        await portal.runReviewsTask();

        const after = (await portal.get(`/reviews/campaigns/${campaign.id}`)).body;
        expect(after).toMatchObject({ state: 'overdue', escalatedAt: expect.any(String) });
        for (const id of left) {
          const identity = (await portal.get(`/identities/${id}`)).body;
          expect(identity.reviewStatus).toBe('overdue');
          expect(identity.violations.map((v: any) => v.ruleId)).toContain('any.review-overdue');
        }
        const ok = (await portal.get(`/identities/${attested}`)).body;
        expect(ok.reviewStatus).toBe('reviewed');
        expect(ok.violations.map((v: any) => v.ruleId)).not.toContain('any.review-overdue');
        expect((await portal.get('/violations?ruleId=any.review-overdue')).body.items).toHaveLength(2);

        // one escalation: the Group's members and the parent Group's members, once each
        for (const user of ['bob', 'frank', 'ceo']) {
          const escalations = (await portal.inbox(user)).filter(n => n.payload.topic === 'machine-identity-review-overdue');
          expect({ user, count: escalations.length }).toEqual({ user, count: 1 });
          expect(escalations[0].payload.title).toBe('Ownership review overdue: payments');
        }
        expect(await portal.inbox('carol')).toEqual([]);

        // attesting late clears the violation
        await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, {
          decisions: left.map(identityId => ({ identityId, decision: 'confirm' as const })),
        });
        await portal.runReviewsTask();
        const late = (await portal.get(`/identities/${left[0]}`)).body;
        expect(late.reviewStatus).toBe('reviewed');
        expect(late.violations.map((v: any) => v.ruleId)).not.toContain('any.review-overdue');
        expect((await portal.get(`/reviews/campaigns/${campaign.id}`)).body.state).toBe('completed');
      } finally {
        await portal.stop();
      }
    },
  );
});
