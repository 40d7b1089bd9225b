import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { ownedBy, startReviewsBackend } from './__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const payments = { ownerHint: { owner: 'group:default/payments', via: 'test metadata' } };

describe('second reviewer for privileged identities', () => {
  it.each(databases.eachSupportedId())(
    'a privileged confirmation counts only after a second, different member confirms; the same member twice is a 409; both audited (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex, { reviews: { requireSecondReviewer: true } });
      try {
        await portal.scan([
          ...ownedBy('payments', 1, 0),
          discovery(10, { ...payments, type: 'service-account', attributes: { privileged: true, privilegedReason: 'ClusterRole cluster-admin via ClusterRoleBinding/ci-admin' } }),
          discovery(11, { ...payments, type: 'ssh-key', attributes: { keyAlgorithm: 'ed25519' }, links: { sshHosts: ['db-1'], sshAccounts: ['root'] } }),
        ]);
        const campaign = await portal.openCampaign('payments');
        const items = await portal.items(campaign.id);
        const byName = (n: number) => items.find(i => i.displayName === `identity-${n}.example.test`)!;
        const [plain, admin, rootKey] = [byName(0), byName(10), byName(11)];
        expect(items.map(i => [i.displayName, i.privilegedReason ?? null]).sort()).toEqual([
          ['identity-0.example.test', null],
          ['identity-10.example.test', 'ClusterRole cluster-admin via ClusterRoleBinding/ci-admin'],
          ['identity-11.example.test', 'root login on db-1'],
        ]);
        const path = `/reviews/campaigns/${campaign.id}/decisions`;
        const confirm = (...ids: string[]) => ({ decisions: ids.map(identityId => ({ identityId, decision: 'confirm' })) });

        // bob confirms all three: the plain one counts, the privileged two wait for a second member
        const first = await portal.post(path, confirm(plain.identityId, admin.identityId, rootKey.identityId), 'bob');
        expect(first.status).toBe(200);
        expect(first.body.decided).toBe(1);
        expect(first.body.firstConfirmations.sort()).toEqual([admin.identityId, rootKey.identityId].sort());
        expect(first.body.campaign).toMatchObject({
          state: 'open',
          secondReviewer: true,
          progress: { total: 3, decided: 1, confirmed: 1, remaining: 2, awaitingSecondReview: 2 },
        });
        const waiting = await portal.items(campaign.id, '&decision=awaiting-second-review');
        expect(waiting.map(i => [i.identityId, i.firstConfirmedBy, i.decision ?? null]).sort()).toEqual(
          [[admin.identityId, 'user:default/bob', null], [rootKey.identityId, 'user:default/bob', null]].sort(),
        );
        expect((await portal.get(`/identities/${admin.identityId}`)).body.reviewStatus).toBe('due');

        // the same person again is refused, with a message that says why
        const again = await portal.post(path, confirm(admin.identityId), 'bob');
        expect(again.status).toBe(409);
        expect(again.body.error.message).toMatch(
          /Second review: user:default\/bob already confirmed "identity-10.example.test" \(ClusterRole cluster-admin via ClusterRoleBinding\/ci-admin\); a different member of group:default\/payments must give the second confirmation/,
        );
        // a non-member still cannot give the second confirmation
        expect((await portal.post(path, confirm(admin.identityId), 'carol')).status).toBe(403);

        // frank, another member, gives the second confirmation of both
        const second = await portal.post(path, confirm(admin.identityId, rootKey.identityId), 'frank');
        expect(second.status).toBe(200);
        expect(second.body).toMatchObject({ decided: 2, firstConfirmations: [] });
        expect(second.body.campaign).toMatchObject({
          state: 'completed',
          progress: { total: 3, decided: 3, confirmed: 3, remaining: 0, awaitingSecondReview: 0 },
        });
        expect((await portal.get(`/identities/${admin.identityId}`)).body.reviewStatus).toBe('reviewed');
        const decided = (await portal.items(campaign.id)).find(i => i.identityId === admin.identityId)!;
        expect(decided).toMatchObject({ decision: 'confirm', decidedBy: 'user:default/frank', firstConfirmedBy: 'user:default/bob' });
        expect((await portal.post(path, confirm(admin.identityId), 'gina')).status).toBe(409);

        const events = (await portal.get(`/audit?identityId=${admin.identityId}`)).body.items.filter((e: any) => e.action.startsWith('review-'));
        expect(events.map((e: any) => [e.action, e.actor])).toEqual([
          ['review-confirmed', 'user:default/frank'],
          ['review-first-confirmed', 'user:default/bob'],
        ]);
        expect(events[0]).toMatchObject({ before: { firstConfirmedBy: 'user:default/bob' }, after: { decision: 'confirm', secondConfirmedBy: 'user:default/frank' } });
      } finally {
        await portal.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())('without requireSecondReviewer one confirmation of a privileged identity counts (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    const portal = await startReviewsBackend(knex);
    try {
      await portal.scan([discovery(10, { ...payments, type: 'service-account', attributes: { privileged: true } })]);
      const campaign = await portal.openCampaign('payments');
      const [item] = await portal.items(campaign.id);
      expect(item.privilegedReason).toBeUndefined();
      const res = await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, { decisions: [{ identityId: item.identityId, decision: 'confirm' }] }, 'bob');
      expect(res.body).toMatchObject({ decided: 1, campaign: { state: 'completed', secondReviewer: false, progress: { awaitingSecondReview: 0 } } });
    } finally {
      await portal.stop();
    }
  });
});
