import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeMachineIdentityApi, makeIdentity, makeRevocation } from '../../testUtils/FakeMachineIdentityApi';
import { renderWithApi } from '../../testUtils/renderWithApi';
import { DecommissioningPage } from './DecommissioningPage';
import { EntityDecommissionedWarning } from './EntityDecommissionedWarning';
import { EntityRevocationsCard } from './EntityRevocationsCard';

const alerts: Array<{ message: string; severity?: string }> = [];
const signedInAs = (userEntityRef: string) => [
  [identityApiRef, { getBackstageIdentity: async () => ({ type: 'user', userEntityRef, ownershipEntityRefs: [userEntityRef] }) }],
  [alertApiRef, { post: (a: { message: string; severity?: string }) => alerts.push(a), alert$: () => ({ subscribe: () => ({ unsubscribe() {} }) }) }],
];

const paymentsOld: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-old', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/payments', lifecycle: 'decommissioned' },
};

function apiWithRetiredComponent() {
  const api = new FakeMachineIdentityApi();
  api.retiredComponents = [
    {
      entityRef: 'component:default/payments-old',
      status: 'decommissioned',
      lifecycle: 'decommissioned',
      owner: 'group:default/payments',
      firstDetectedAt: '2026-12-01T10:00:00Z',
      requests: [],
      flags: [
        { entityRef: 'component:default/payments-old', identityId: 'id-9', identityDisplayName: 'shared deploy key', sharedWith: ['component:default/billing'], flaggedAt: '2026-12-01T10:00:00Z' },
      ],
    },
  ];
  api.revocations = [
    makeRevocation({ id: 'r-1', identityDisplayName: 'payments-old deploy key' }),
    makeRevocation({ id: 'r-2', identityDisplayName: 'old tls cert', state: 'manual', identityType: 'tls-certificate', outcomeMessage: 'No installed revoker can revoke this tls-certificate here.' }),
    makeRevocation({ id: 'r-3', identityDisplayName: 'alice asked', entityRef: undefined, trigger: 'manual', requestedBy: 'user:default/alice' }),
  ];
  return api;
}

describe('Decommissioning', () => {
  beforeEach(() => {
    alerts.length = 0;
  });

  it('lists retired Components with each request state, the shared credentials left alone, and approves as a second person', async () => {
    const api = apiWithRetiredComponent();
    await renderWithApi(<DecommissioningPage />, api, { extraApis: signedInAs('user:default/bob') });
    expect(await screen.findByText('component:default/payments-old')).toBeInTheDocument();
    expect(screen.getByText('Decommissioned in the catalog')).toBeInTheDocument();
    expect(screen.getByText('payments-old deploy key')).toBeInTheDocument();
    expect(screen.getAllByText('Awaiting approval')).toHaveLength(2);
    expect(screen.getByText('Manual task')).toBeInTheDocument();
    expect(screen.getByText(/No installed revoker can revoke this tls-certificate/)).toBeInTheDocument();
    expect(screen.getByText('shared deploy key')).toBeInTheDocument();
    expect(screen.getByText(/Still used by component:default\/billing/)).toBeInTheDocument();
    // the manual request not tied to a retired Component is listed on its own
    expect(screen.getByText(/Other revocations awaiting approval \(1\)/)).toBeInTheDocument();

    const row = screen.getByText('payments-old deploy key').closest('tr')!;
    fireEvent.click(within(row).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(api.callsOf('approveRevocation')).toEqual(['r-1']));
    await waitFor(() => expect(screen.getByText('Approved')).toBeInTheDocument());
    expect(alerts).toContainEqual(expect.objectContaining({ message: 'Approved the revocation of payments-old deploy key', severity: 'success' }));
  });

  it('disables approval of your own request and rejects only with a comment', async () => {
    const api = apiWithRetiredComponent();
    await renderWithApi(<DecommissioningPage />, api, { extraApis: signedInAs('user:default/alice') });
    const row = (await screen.findByText('alice asked')).closest('tr')!;
    expect(within(row).getByRole('button', { name: 'Approve' })).toBeDisabled();
    fireEvent.click(within(row).getByRole('button', { name: 'Reject' }));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Reject' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Why is it not revoked?'), { target: { value: 'still used by batch' } });
    fireEvent.click(confirm);
    await waitFor(() => expect(api.calls.filter(c => c.method === 'rejectRevocation').map(c => c.args)).toEqual([['r-3', 'still used by batch']]));
  });

  it('shows the backend refusal when approval is not allowed', async () => {
    const api = apiWithRetiredComponent();
    api.approveRevocation = async () => {
      throw new Error('Missing permission machine-identity.revoke.approve');
    };
    await renderWithApi(<DecommissioningPage />, api, { extraApis: signedInAs('user:default/bob') });
    const row = (await screen.findByText('payments-old deploy key')).closest('tr')!;
    fireEvent.click(within(row).getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(alerts).toContainEqual(expect.objectContaining({ severity: 'error', message: expect.stringContaining('Missing permission machine-identity.revoke.approve') })),
    );
  });

  it('says plainly when a decommissioned Component still has live credentials, and nothing for a live one', async () => {
    const api = apiWithRetiredComponent();
    api.identities = [
      makeIdentity({ id: 'id-1', component: 'component:default/payments-old' }),
      makeIdentity({ id: 'id-2', component: 'component:default/payments-old', state: 'revoked' }),
    ];
    const { unmount } = await renderWithApi(<EntityDecommissionedWarning />, api, { entity: paymentsOld, extraApis: signedInAs('user:default/bob') });
    expect(await screen.findByText(/payments-old is decommissioned but still has 1 live credential$/)).toBeInTheDocument();
    expect(screen.getByText(/2 revocations are open/)).toBeInTheDocument();
    unmount();

    const live = { ...paymentsOld, spec: { ...paymentsOld.spec, lifecycle: 'production' } };
    await renderWithApi(<EntityDecommissionedWarning />, api, { entity: live, extraApis: signedInAs('user:default/bob') });
    await waitFor(() => expect(api.callsOf('listIdentities')).toHaveLength(1));
    expect(screen.queryByText(/is decommissioned/)).not.toBeInTheDocument();
  });

  it('shows the revocation state of a MachineIdentity entity by its identity id', async () => {
    const api = apiWithRetiredComponent();
    const entity: Entity = {
      apiVersion: 'keyring.io/v1alpha1',
      kind: 'MachineIdentity',
      metadata: { name: 'ssh-3f9a', annotations: { 'keyring.io/identity-id': 'id-1' } },
      spec: { type: 'ssh-key' },
    };
    const { unmount } = await renderWithApi(<EntityRevocationsCard />, api, { entity, extraApis: signedInAs('user:default/bob') });
    expect(await screen.findByText('payments-old deploy key')).toBeInTheDocument();
    expect(api.callsOf('listRevocations')[0]).toMatchObject({ identityId: 'id-1' });
    // an open request exists: no second one can be asked for
    expect(screen.queryByRole('button', { name: 'Request revocation' })).not.toBeInTheDocument();
    unmount();

    const other = { ...entity, metadata: { ...entity.metadata, annotations: { 'keyring.io/identity-id': 'id-5' } } };
    await renderWithApi(<EntityRevocationsCard />, api, { entity: other, extraApis: signedInAs('user:default/bob') });
    fireEvent.click(await screen.findByRole('button', { name: 'Request revocation' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('button', { name: 'Request' })).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Why should it be revoked?'), { target: { value: 'leaked in a log' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Request' }));
    await waitFor(() => expect(api.calls.filter(c => c.method === 'requestRevocation').map(c => c.args)).toEqual([['id-5', 'leaked in a log']]));
    expect(await screen.findByText('Awaiting approval')).toBeInTheDocument();
  });
});
