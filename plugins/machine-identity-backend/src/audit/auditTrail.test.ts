import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { ownedBy, startReviewsBackend } from '../reviews/__testUtils__/reviewsBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('the audit trail', () => {
  it.each(databases.eachSupportedId())(
    'pages events newest first with filters, and cannot be changed through the API or by SQL (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      try {
        await portal.scan(ownedBy('payments', 3, 0));
        const campaign = await portal.openCampaign('payments');
        const ids = (await portal.items(campaign.id)).map(i => i.identityId as string);
        await portal.post(`/reviews/campaigns/${campaign.id}/decisions`, {
          decisions: ids.map(identityId => ({ identityId, decision: 'confirm', comment: 'still ours' })),
        });

        const first = await portal.get('/audit?actor=user:default/bob&limit=2');
        expect(first.status).toBe(200);
        expect(first.body.items).toHaveLength(2);
        const second = await portal.get(`/audit?actor=user:default/bob&limit=2&cursor=${first.body.nextCursor}`);
        const pages = [...first.body.items, ...second.body.items];
        expect(pages.map((e: any) => Number(e.id))).toEqual([...pages.map((e: any) => Number(e.id))].sort((a, b) => b - a));
        expect(pages.every((e: any) => e.actor === 'user:default/bob')).toBe(true);
        expect(pages.find((e: any) => e.action === 'review-confirmed')).toMatchObject({
          campaignId: campaign.id,
          before: { owner: 'group:default/payments', reviewStatus: 'due' },
          after: { decision: 'confirm', reviewStatus: 'reviewed' },
          comment: 'still ours',
        });
        const future = await portal.get(`/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
        expect(future.body.items).toEqual([]);
        expect((await portal.get('/audit?from=yesterday')).status).toBe(400);
        expect((await portal.get('/audit?identityId=x&cursor=garbage')).status).toBe(400);

        // a reader limited to their own Groups' identities sees neither payments' campaign nor its events
        const identityId = ids[0];
        expect((await portal.get('/reviews/campaigns', 'dave')).body.items).toEqual([]);
        expect((await portal.get(`/reviews/campaigns/${campaign.id}`, 'dave')).status).toBe(404);
        expect((await portal.get(`/audit?identityId=${identityId}`, 'dave')).status).toBe(404);
        expect((await portal.get('/audit?actor=user:default/bob', 'dave')).body.items).toEqual([]);
        expect((await portal.get(`/audit?identityId=${identityId}`, 'bob')).body.items.length).toBeGreaterThan(0);

        // no route edits or deletes an event
        const id = first.body.items[0].id;
        for (const method of ['put', 'patch', 'delete'] as const) {
          for (const path of ['/audit', `/audit/${id}`]) {
            const res = await portal.http[method](`/api/machine-identity${path}`)
              .set('Authorization', mockCredentials.user.header('user:default/erin'))
              .send({ action: 'forged' });
            expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
          }
        }

        // and the database itself refuses: UPDATE and DELETE fail, the row is unchanged
        const before = await knex('audit_events').where({ id }).first();
        await expect(knex.raw('UPDATE audit_events SET actor = ? WHERE id = ?', ['user:default/mallory', id])).rejects.toThrow(
          /audit_events is append-only: UPDATE refused/,
        );
        await expect(knex('audit_events').where({ id }).delete()).rejects.toThrow(/audit_events is append-only: DELETE refused/);
        await expect(knex('audit_events').update({ comment: 'rewritten' })).rejects.toThrow(/append-only/);
        if (databaseId.startsWith('POSTGRES')) {
          await expect(knex.raw('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE refused/);
        }
        expect(await knex('audit_events').where({ id }).first()).toEqual(before);
      } finally {
        await portal.stop();
      }
    },
  );
});
