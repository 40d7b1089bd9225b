import { inject } from 'vitest';
import { asUser, waitForOwnership } from './api';
import { openSignedInAs, snap, useBrowser } from './browser';

describe('ownership review in the browser, with two demo users', () => {
  let campaignId = '';
  const browser = useBrowser(async () => {
    await waitForOwnership();
    const opened = await asUser('user:default/erin', '/reviews/campaigns', {
      method: 'POST',
      body: JSON.stringify({ owner: 'group:default/payments' }),
    });
    campaignId = opened.items[0].id;
  });

  it('the payments lead completes the campaign; someone else approves the revocation it asked for', async () => {
    const url = `${inject('appUrl')}/catalog/default/group/payments/ownership-review`;
    const campaign = await asUser('user:default/bob', `/reviews/campaigns/${campaignId}?limit=1000`);
    expect(campaign.items.length).toBeGreaterThanOrEqual(3);
    const [toRevoke, toReassign] = campaign.items.map((i: any) => i.displayName as string);

    const bob = await openSignedInAs(browser(), 'bob', url);
    await bob.getByText(`0 of ${campaign.items.length} attested`).waitFor({ timeout: 60_000 });
    await snap(bob, 'ownership-review-open');

    await bob.getByRole('checkbox', { name: `select ${toRevoke}` }).check();
    await bob.getByRole('button', { name: 'Request revocation…' }).click();
    await bob.getByLabel(/Why\?/).fill('Legacy endpoint retired in the review');
    await bob.getByRole('button', { name: 'Request revocation', exact: true }).click();
    await bob.getByText(`1 of ${campaign.items.length} attested`).waitFor();

    await bob.getByRole('checkbox', { name: `select ${toReassign}` }).check();
    await bob.getByRole('button', { name: 'Reassign…' }).click();
    await bob.getByLabel(/Receiving Group/).fill('group:default/identity');
    await bob.getByLabel(/Why\?/).fill('The identity team runs this login');
    await bob.getByRole('button', { name: 'Reassign', exact: true }).click();
    await bob.getByText(`2 of ${campaign.items.length} attested`).waitFor();

    await bob.getByRole('checkbox', { name: 'select all' }).check();
    await bob.getByRole('button', { name: 'Confirm', exact: true }).click();
    await bob.getByText(`${campaign.items.length} of ${campaign.items.length} attested (100%)`).waitFor();
    await snap(bob, 'ownership-review-completed');

    const done = await asUser('user:default/bob', `/reviews/campaigns/${campaignId}?limit=1000`);
    expect(done.state).toBe('completed');
    const revoked = done.items.find((i: any) => i.displayName === toRevoke);
    expect(revoked).toMatchObject({ decision: 'revoke', decidedBy: 'user:default/bob' });
    // the requester cannot approve: the button is disabled for bob
    await bob.goto(url);
    const ownRow = bob.getByRole('row').filter({ hasText: 'Legacy endpoint retired in the review' });
    await expect(ownRow.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);

    const erin = await openSignedInAs(browser(), 'erin', url);
    const row = erin.getByRole('row').filter({ hasText: 'Legacy endpoint retired in the review' });
    await row.getByRole('button', { name: 'Approve' }).click({ timeout: 60_000 });
    await erin.getByText(/Approved the revocation/).waitFor();
    await snap(erin, 'ownership-review-approved');

    const request = await asUser('user:default/erin', `/revocations/${revoked.revocationId}`);
    expect(request).toMatchObject({ state: 'approved', requestedBy: 'user:default/bob', decidedBy: 'user:default/erin' });
    const reassignments = await asUser('user:default/carol', '/reassignments?awaitingMe=true');
    expect(reassignments.items.map((r: any) => r.identityDisplayName)).toContain(toReassign);
  });
});
