import type { Entity } from '@backstage/catalog-model';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeMachineIdentityApi } from '../../testUtils/FakeMachineIdentityApi';
import { makeCampaign } from '../../testUtils/FakeReviewBackend';
import { renderWithApi } from '../../testUtils/renderWithApi';
import { EntityOwnershipReviewContent } from './EntityOwnershipReviewContent';

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function signedInAs(userEntityRef: string, groups: string[], alerts: Array<{ message: string; severity?: string }> = []) {
  return [
    [identityApiRef, { getBackstageIdentity: async () => ({ type: 'user', userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] }) }],
    [alertApiRef, { post: (a: { message: string; severity?: string }) => alerts.push(a), alert$: () => ({ subscribe: () => ({ unsubscribe() {} }) }) }],
  ];
}

function apiWithCampaign() {
  const api = new FakeMachineIdentityApi();
  api.reviews.campaigns = [
    makeCampaign({ id: 'current' }, 3),
    { ...makeCampaign({ id: 'last-quarter', state: 'completed', openedAt: '2026-09-01T00:00:00Z', completedAt: '2026-09-20T00:00:00Z' }, 2), progress: { total: 2, decided: 2, confirmed: 2, reassigned: 0, revoked: 0, remaining: 0 } },
  ];
  return api;
}

describe('EntityOwnershipReviewContent', () => {
  it('shows the current campaign progress, the items to attest and the campaign history', async () => {
    const api = apiWithCampaign();
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/bob', ['group:default/payments']) });
    expect(await screen.findByText('0 of 3 attested (0%)')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: '0% attested' })).toBeInTheDocument();
    expect(screen.getByText('host-0.payments.example.test')).toBeInTheDocument();
    expect(screen.getByText('Campaign history')).toBeInTheDocument();
    expect(api.callsOf('listReviewCampaigns')).toEqual([{ owner: 'group:default/payments' }]);
    expect(api.calls.find(c => c.method === 'getReviewCampaign')!.args).toEqual(['current', { limit: 1000, decision: 'undecided' }]);
  });

  it('confirms the selected items in one bulk call and reassigns one with a comment and a receiving Group', async () => {
    const api = apiWithCampaign();
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/bob', ['group:default/payments']) });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'select host-0.payments.example.test' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'select host-1.payments.example.test' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(api.callsOf('decideReviewItems')).toEqual(['current']));
    expect(api.calls.find(c => c.method === 'decideReviewItems')!.args[1]).toEqual([
      { identityId: 'current-item-0', decision: 'confirm' },
      { identityId: 'current-item-1', decision: 'confirm' },
    ]);
    expect(await screen.findByText('2 of 3 attested (67%)')).toBeInTheDocument();

    fireEvent.click(await screen.findByRole('checkbox', { name: 'select host-2.payments.example.test' }));
    fireEvent.click(screen.getByRole('button', { name: 'Reassign…' }));
    const dialog = await screen.findByRole('dialog');
    const submit = within(dialog).getByRole('button', { name: 'Reassign' });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Receiving Group/), { target: { value: 'group:default/identity' } });
    fireEvent.change(within(dialog).getByLabelText(/Why\?/), { target: { value: 'SSO client certificate' } });
    fireEvent.click(submit);
    await waitFor(() => expect(api.callsOf('decideReviewItems')).toHaveLength(2));
    expect(api.calls.filter(c => c.method === 'decideReviewItems')[1].args[1]).toEqual([
      { identityId: 'current-item-2', decision: 'reassign', comment: 'SSO client certificate', toOwner: 'group:default/identity' },
    ]);
    expect(await screen.findByText('3 of 3 attested (100%)')).toBeInTheDocument();
  });

  it('shows no attest controls to non-members, and lists reassignments and waivers awaiting the user', async () => {
    const api = apiWithCampaign();
    api.reviews.reassignments = [
      { id: 'r1', identityId: 'x', identityDisplayName: 'sso.identity.example.test', fromOwner: 'group:default/identity', toOwner: 'group:default/payments', state: 'pending', requestedBy: 'user:default/carol', requestedAt: '2026-12-01T00:00:00Z', comment: 'checkout uses it' },
    ];
    api.reviews.waiverRequests = [
      { id: 'w1', identityId: 'y', identityDisplayName: 'legacy.payments.example.test', ruleId: 'tls.key-size', reason: 'HSM limit', expiresAt: '2027-03-01T00:00:00Z', state: 'requested', requestedBy: 'user:default/frank', requestedAt: '2026-12-01T00:00:00Z' },
    ];
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/erin', ['group:default/security']) });
    expect(await screen.findByText('host-0.payments.example.test')).toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: 'select host-0.payments.example.test' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Confirm' })).not.toBeInTheDocument();

    expect(screen.getByText('sso.identity.example.test from group:default/identity')).toBeInTheDocument();
    const waiver = screen.getByText(/tls.key-size on legacy.payments.example.test/).closest('li')!;
    fireEvent.click(within(waiver).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(api.calls.find(c => c.method === 'decideWaiverRequest')?.args).toEqual(['w1', 'approve', undefined]));
    await waitFor(() => expect(screen.getByText('No waiver request is waiting for you.')).toBeInTheDocument());
  });

  it('disables accepting a reassignment the user asked for themselves', async () => {
    const api = apiWithCampaign();
    api.reviews.reassignments = [
      { id: 'r1', identityId: 'x', identityDisplayName: 'shared.example.test', fromOwner: 'group:default/identity', toOwner: 'group:default/payments', state: 'pending', requestedBy: 'user:default/gina', requestedAt: '2026-12-01T00:00:00Z', comment: 'ours' },
    ];
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/gina', ['group:default/payments', 'group:default/identity']) });
    const row = (await screen.findByText('shared.example.test from group:default/identity')).closest('li')!;
    expect(within(row).getByRole('button', { name: 'Accept' })).toBeDisabled();
    expect(within(row).getByRole('button', { name: 'Reject' })).toBeEnabled();
  });

  it('says when the Group has no campaign yet', async () => {
    await renderWithApi(<EntityOwnershipReviewContent />, new FakeMachineIdentityApi(), { entity: payments, extraApis: signedInAs('user:default/bob', []) });
    expect(await screen.findByText('No ownership review yet')).toBeInTheDocument();
  });
});

describe('EntityOwnershipReviewContent with a second reviewer', () => {
  const bob = 'user:default/bob';
  const carol = 'user:default/carol';

  /** A second-reviewer campaign whose first item is privileged; the fake refuses the same member twice like the backend. */
  function apiWithSecondReviewer() {
    const api = new FakeMachineIdentityApi();
    const campaign = makeCampaign({ id: 'current', secondReviewer: true }, 3);
    campaign.items[0].privilegedReason = 'Kubernetes cluster-admin binding';
    campaign.progress.awaitingSecondReview = 0;
    api.reviews.campaigns = [campaign];
    return api;
  }
  const row = (name: string) => screen.getByText(name).closest('tr')!;

  async function confirm(names: string[]) {
    for (const name of names) fireEvent.click(await screen.findByRole('checkbox', { name: `select ${name}` }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
  }

  it('marks privileged items, counts a first confirmation as awaiting a second review, refuses the same member and takes another', async () => {
    const api = apiWithSecondReviewer();
    api.user = bob;
    const alerts: Array<{ message: string; severity?: string }> = [];
    const first = await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs(bob, ['group:default/payments'], alerts) });
    expect(await screen.findByText('Awaiting second review: 0')).toBeInTheDocument();
    expect(within(row('host-0.payments.example.test')).getByText('Privileged: Kubernetes cluster-admin binding')).toBeInTheDocument();
    expect(within(row('host-1.payments.example.test')).queryByText(/Privileged/)).not.toBeInTheDocument();

    await confirm(['host-0.payments.example.test', 'host-1.payments.example.test']);
    await waitFor(() => expect(alerts).toContainEqual(expect.objectContaining({ message: 'Recorded 1 decision; 1 awaiting a second confirmation by another member', severity: 'success' })));
    expect(await screen.findByText('1 of 3 attested (33%)')).toBeInTheDocument();
    expect(screen.getByText('Awaiting second review: 1')).toBeInTheDocument();
    expect(within(row('host-0.payments.example.test')).getByText('Confirmed by bob — needs a second reviewer')).toBeInTheDocument();

    await confirm(['host-0.payments.example.test']);
    const refusal = 'Second review: user:default/bob already confirmed "host-0.payments.example.test" (Kubernetes cluster-admin binding); a different member of group:default/payments must give the second confirmation';
    expect(await screen.findByRole('alert')).toHaveTextContent(refusal);
    expect(alerts.at(-1)).toEqual({ message: refusal, severity: 'error' });
    expect(screen.getByText('1 of 3 attested (33%)')).toBeInTheDocument();
    expect(api.reviews.campaigns[0].items[0].decision).toBeUndefined();
    first.unmount();

    api.user = carol;
    const carolAlerts: Array<{ message: string; severity?: string }> = [];
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs(carol, ['group:default/payments'], carolAlerts) });
    await confirm(['host-0.payments.example.test']);
    await waitFor(() => expect(carolAlerts).toContainEqual(expect.objectContaining({ message: 'Recorded 1 decision', severity: 'success' })));
    expect(await screen.findByText('2 of 3 attested (67%)')).toBeInTheDocument();
    expect(screen.getByText('Awaiting second review: 0')).toBeInTheDocument();
    expect(api.reviews.campaigns[0].items[0]).toMatchObject({ decision: 'confirm', decidedBy: carol, firstConfirmedBy: bob });
  });

  it('filters the items awaiting a second review through the API', async () => {
    const api = apiWithSecondReviewer();
    Object.assign(api.reviews.campaigns[0].items[0], { firstConfirmedBy: bob, firstConfirmedAt: '2026-12-02T00:00:00Z' });
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs(carol, ['group:default/payments']) });
    expect(await screen.findByText('host-2.payments.example.test')).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByRole('button', { name: /Show/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Awaiting second review' }));
    await waitFor(() => expect(screen.queryByText('host-2.payments.example.test')).not.toBeInTheDocument());
    expect(api.calls.filter(c => c.method === 'getReviewCampaign').at(-1)!.args).toEqual(['current', { limit: 1000, decision: 'awaiting-second-review' }]);
    expect(screen.getByText('host-0.payments.example.test')).toBeInTheDocument();
    expect(screen.getByText('Confirmed by bob — needs a second reviewer')).toBeInTheDocument();
    expect(screen.queryByText('host-1.payments.example.test')).not.toBeInTheDocument();
  });
});
