import type { Entity } from '@backstage/catalog-model';
import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeMachineIdentityApi, makeIdentity } from '../../testUtils/FakeMachineIdentityApi';
import { makeCampaign } from '../../testUtils/FakeReviewBackend';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityContent } from '../EntityMachineIdentityContent/EntityMachineIdentityContent';
import { EntityMachineIdentityDetailsContent } from '../EntityMachineIdentityDetailsContent/EntityMachineIdentityDetailsContent';
import { EntityOwnershipReviewContent } from '../OwnershipReview/EntityOwnershipReviewContent';

const DAY = 86_400_000;

function signedInAs(userEntityRef: string, groups: string[], alerts: Array<{ message: string; severity?: string }> = []) {
  return [
    [identityApiRef, { getBackstageIdentity: async () => ({ type: 'user', userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] }) }],
    [alertApiRef, { post: (a: { message: string; severity?: string }) => alerts.push(a), alert$: () => ({ subscribe: () => ({ unsubscribe() {} }) }) }],
  ];
}

/** A payments certificate breaking tls.key-size, on its MachineIdentity entity page. */
function estate(user: string) {
  const api = new FakeMachineIdentityApi();
  api.user = user;
  const identity = makeIdentity({ id: 'legacy', displayName: 'legacy.payments.example.test', owner: 'group:default/payments', component: 'component:default/payments-api', violationCount: 1 }, 40);
  api.identities = [identity];
  api.details.legacy = {
    ...identity,
    observations: [{ sourceId: 'corp-tls', location: '127.0.10.1:8443', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' }],
    violations: [{ identityId: 'legacy', ruleId: 'tls.key-size', severity: 'error', message: 'RSA 1024', remediation: 'Reissue with RSA 3072', firstDetected: '2026-11-01T00:00:00Z' }],
    history: [],
  };
  return api;
}

const identityEntity: Entity = {
  apiVersion: 'keyring.io/v1alpha1',
  kind: 'MachineIdentity',
  metadata: { name: 'tls-legacy', annotations: { 'keyring.io/identity-id': 'legacy' } },
  spec: { type: 'tls-certificate', owner: 'group:default/payments' },
};

const payments: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('waiver requests', () => {
  it("an owner requests a waiver of a violation on the identity's entity page: reason and expiry, then it shows as awaiting approval", async () => {
    const api = estate('user:default/bob');
    const alerts: Array<{ message: string }> = [];
    await renderWithApi(<EntityMachineIdentityDetailsContent />, api, { entity: identityEntity, extraApis: signedInAs('user:default/bob', ['group:default/payments'], alerts) });
    const violation = (await screen.findAllByTestId('identity-violation')).find(v => v.getAttribute('data-rule-id') === 'tls.key-size')!;
    fireEvent.click(await within(violation).findByRole('button', { name: 'Request waiver: tls.key-size' }));
    const dialog = await screen.findByRole('dialog', { name: 'Request a waiver of tls.key-size' });
    const submit = within(dialog).getByRole('button', { name: 'Request waiver' });
    expect(submit).toBeDisabled();
    const expiry = within(dialog).getByLabelText(/Waived until/) as HTMLInputElement;
    expect(expiry.value).toBe(new Date(Date.now() + 90 * DAY).toISOString().slice(0, 10));
    expect(expiry.max).toBe(new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10));
    fireEvent.change(within(dialog).getByLabelText(/Why is the violation acceptable/), { target: { value: 'HSM cannot do RSA 3072 until the March upgrade' } });
    fireEvent.change(expiry, { target: { value: '2027-03-31' } });
    fireEvent.click(submit);

    await waitFor(() => expect(api.callsOf('requestWaiver')).toEqual(['legacy']));
    expect(api.calls.find(c => c.method === 'requestWaiver')!.args[1]).toEqual({
      ruleId: 'tls.key-size',
      reason: 'HSM cannot do RSA 3072 until the March upgrade',
      expiresAt: '2027-03-31T23:59:59.000Z',
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await within(violation).findByTestId('waiver-requested')).toHaveTextContent(/Waiver requested by user:default\/bob .*awaiting another person's approval/);
    expect(within(violation).queryByRole('button', { name: 'Request waiver: tls.key-size' })).not.toBeInTheDocument();
    expect(alerts.map(a => a.message)).toContain('Waiver of tls.key-size requested: another person must approve it');
  });

  it("from a Component tab row, shows the backend's refusal in the dialog when someone else asked first", async () => {
    const api = estate('user:default/bob');
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi, extraApis: signedInAs('user:default/bob', ['group:default/payments']) });
    fireEvent.click(await screen.findByRole('button', { name: /location of legacy.payments.example.test/ }));
    const details = await screen.findByTestId('machine-identity-row-details');
    fireEvent.click(await within(details).findByRole('button', { name: 'Request waiver: tls.key-size' }));
    const dialog = await screen.findByRole('dialog');
    // meanwhile, a colleague asked for the same waiver
    await api.reviews.requestWaiver({ identityId: 'legacy', ruleId: 'tls.key-size', reason: 'HSM', expiresAt: '2027-01-31T00:00:00.000Z' }, 'user:default/carol');
    fireEvent.change(within(dialog).getByLabelText(/Why is the violation acceptable/), { target: { value: 'HSM limit' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Request waiver' }));
    expect(await within(dialog).findByTestId('waiver-request-problem')).toHaveTextContent(
      'A waiver of tls.key-size for this identity is already waiting for approval (w1, by user:default/carol)',
    );
  });

  it('offers no waiver request to someone outside the owning Group', async () => {
    const api = estate('user:default/erin');
    await renderWithApi(<EntityMachineIdentityDetailsContent />, api, { entity: identityEntity, extraApis: signedInAs('user:default/erin', ['group:default/security']) });
    await screen.findAllByTestId('identity-violation');
    await waitFor(() => expect(api.callsOf('listWaiverRequests')).toEqual([{ identityId: 'legacy', state: 'requested' }]));
    expect(screen.queryByRole('button', { name: /Request waiver/ })).not.toBeInTheDocument();
  });

  it("lists the Group's waiver requests on its Ownership review tab; approving one's own shows the API's separation-of-duties refusal", async () => {
    const api = estate('user:default/bob');
    api.reviews.campaigns = [makeCampaign({ id: 'current' }, 1)];
    await api.reviews.requestWaiver({ identityId: 'legacy', identityDisplayName: 'legacy.payments.example.test', owner: 'group:default/payments', ruleId: 'tls.key-size', reason: 'HSM limit', expiresAt: '2027-03-31T23:59:59.000Z' }, 'user:default/bob');
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/bob', ['group:default/payments']) });
    const own = (await screen.findByText(/tls.key-size on legacy.payments.example.test/)).closest('li')!;
    await waitFor(() => expect(own).toHaveTextContent('Requested by you (another person must approve): HSM limit'));
    fireEvent.click(within(own).getByRole('button', { name: 'Approve' }));
    expect(await screen.findByTestId('waiver-decision-problem')).toHaveTextContent(
      'Separation of duties: user:default/bob requested this waiver and cannot also approve it; another person must decide',
    );
    expect(api.reviews.waiverRequests[0].state).toBe('requested');
  });

  it('another person approves it from the list awaiting their approval', async () => {
    const api = estate('user:default/alice');
    api.reviews.campaigns = [makeCampaign({ id: 'current' }, 1)];
    await api.reviews.requestWaiver({ identityId: 'legacy', identityDisplayName: 'legacy.payments.example.test', owner: 'group:default/payments', ruleId: 'tls.key-size', reason: 'HSM limit', expiresAt: '2027-03-31T23:59:59.000Z' }, 'user:default/bob');
    await renderWithApi(<EntityOwnershipReviewContent />, api, { entity: payments, extraApis: signedInAs('user:default/alice', ['group:default/payments']) });
    const item = (await screen.findByText(/tls.key-size on legacy.payments.example.test/)).closest('li')!;
    expect(item).toHaveTextContent('user:default/bob: HSM limit');
    fireEvent.click(within(item).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.getByText('No waiver request is waiting for you.')).toBeInTheDocument());
    expect(api.reviews.waiverRequests[0].state).toBe('approved');
    expect(screen.queryByTestId('waiver-decision-problem')).not.toBeInTheDocument();
  });
});
