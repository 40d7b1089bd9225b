import { TestDatabases } from '@backstage/backend-test-utils';
import { ownedBy, startReviewsBackend } from './__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('attestation and reassignment', () => {
  it.each(databases.eachSupportedId())(
    'only members of the owning Group attest; a bulk call confirms, reassigns and requests revocation, audited (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan(ownedBy('payments', 4, 0));
        const campaign = await portal.openCampaign('payments');
        const [a, b, c, d] = (await portal.items(campaign.id)).map(i => i.identityId as string);
        const path = `/reviews/campaigns/${campaign.id}/decisions`;

        const outsider = await portal.post(path, { decisions: [{ identityId: a, decision: 'confirm' }] }, 'carol');
        expect(outsider.status).toBe(403);
        expect(outsider.body.error.message).toMatch(/user:default\/carol is not a member of group:default\/payments/);

        const noComment = await portal.post(path, { decisions: [{ identityId: b, decision: 'revoke' }] });
        expect(noComment.status).toBe(400);
        expect(noComment.body.error.message).toMatch(/needs a comment/);
        const noTarget = await portal.post(path, { decisions: [{ identityId: b, decision: 'reassign', comment: 'theirs' }] });
        expect(noTarget.status).toBe(400);
        const stranger = await portal.post(path, { decisions: [{ identityId: 'not-in-campaign', decision: 'confirm' }] });
        expect(stranger.status).toBe(400);
        expect(stranger.body.error.message).toMatch(/Not in campaign/);

        const res = await portal.post(path, {
          decisions: [
            { identityId: a, decision: 'confirm' },
            { identityId: b, decision: 'confirm', comment: 'checkout TLS' },
            { identityId: c, decision: 'reassign', toOwner: 'group:default/identity', comment: 'SSO client certificate' },
            { identityId: d, decision: 'revoke', comment: 'legacy gateway retired' },
          ],
        });
        expect(res.status).toBe(200);
        expect(res.body.campaign).toMatchObject({
          state: 'completed',
          progress: { total: 4, decided: 4, confirmed: 2, reassigned: 1, revoked: 1, remaining: 0 },
        });
        expect(res.body.reassignmentIds).toHaveLength(1);
        expect(res.body.revocationIds).toHaveLength(1);

        const revocation = await portal.get(`/revocations/${res.body.revocationIds[0]}`);
        expect(revocation.body).toMatchObject({ identityId: d, state: 'requested', requestedBy: 'user:default/bob', trigger: 'review' });

        const again = await portal.post(path, { decisions: [{ identityId: a, decision: 'confirm' }] });
        expect(again.status).toBe(409);

        expect((await portal.get(`/identities/${a}`)).body.reviewStatus).toBe('reviewed');
        const events = (await portal.get(`/audit?actor=user:default/bob&campaignId=${campaign.id}`)).body.items;
        expect(events.map((e: any) => e.action).sort()).toEqual([
          'review-campaign-completed',
          'review-confirmed',
          'review-confirmed',
          'review-reassignment-requested',
          'review-revocation-requested',
        ]);
        const reassigned = events.find((e: any) => e.action === 'review-reassignment-requested');
        expect(reassigned).toMatchObject({
          identityId: c,
          before: { owner: 'group:default/payments', reviewStatus: 'due' },
          after: { decision: 'reassign', toOwner: 'group:default/identity' },
          comment: 'SSO client certificate',
        });
      } finally {
        await portal.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a reassignment moves the identity only once the receiving Group accepts, never by its requester (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan(ownedBy('payments', 2, 0));
        const campaign = await portal.openCampaign('payments');
        const [first, second] = (await portal.items(campaign.id)).map(i => i.identityId as string);
        // gina is in both Groups: she may ask, but someone else in Identity must accept
        const decided = await portal.post(
          `/reviews/campaigns/${campaign.id}/decisions`,
          {
            decisions: [
              { identityId: first, decision: 'reassign', toOwner: 'group:default/identity', comment: 'Identity runs SSO' },
              { identityId: second, decision: 'reassign', toOwner: 'group:default/identity', comment: 'also SSO' },
            ],
          },
          'gina',
        );
        expect(decided.status).toBe(200);
        const [toAccept, toReject] = decided.body.reassignmentIds as string[];

        // until accepted, the owner stays
        expect((await portal.get(`/identities/${first}`)).body.owner).toBe('group:default/payments');
        const awaiting = await portal.get('/reassignments?awaitingMe=true', 'carol');
        expect(awaiting.body.items.map((r: any) => r.id).sort()).toEqual([toAccept, toReject].sort());
        expect((await portal.get('/reassignments?awaitingMe=true', 'bob')).body.items).toEqual([]);

        const byRequester = await portal.post(`/reassignments/${toAccept}/accept`, {}, 'gina');
        expect(byRequester.status).toBe(403);
        expect(byRequester.body.error.message).toMatch(
          /Separation of duties: user:default\/gina requested this reassignment and cannot also approve it/,
        );
        const byOutsider = await portal.post(`/reassignments/${toAccept}/accept`, {}, 'erin');
        expect(byOutsider.status).toBe(403);
        expect(byOutsider.body.error.message).toMatch(/not a member of group:default\/identity/);

        const accepted = await portal.post(`/reassignments/${toAccept}/accept`, { comment: 'ours now' }, 'carol');
        expect(accepted.status).toBe(200);
        expect(accepted.body).toMatchObject({ state: 'accepted', decidedBy: 'user:default/carol' });
        const moved = (await portal.get(`/identities/${first}`)).body;
        expect(moved).toMatchObject({ owner: 'group:default/identity', ownershipRule: 'review-decision' });
        expect((await portal.post(`/reassignments/${toAccept}/reject`, {}, 'carol')).status).toBe(409);

        const rejected = await portal.post(`/reassignments/${toReject}/reject`, { comment: 'not ours' }, 'carol');
        expect(rejected.body.state).toBe('rejected');
        expect((await portal.get(`/identities/${second}`)).body.owner).toBe('group:default/payments');

        const history = (await portal.get(`/audit?identityId=${first}`)).body.items.map((e: any) => e.action);
        expect(history).toEqual(expect.arrayContaining(['reassignment-accepted', 'review-reassignment-requested']));
      } finally {
        await portal.stop();
      }
    },
  );
});
