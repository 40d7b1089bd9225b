import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  FakeMachineIdentityApi,
  makeIdentity,
} from '../../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityContent } from './EntityMachineIdentityContent';

const ref = 'component:default/payments-api';

function estate() {
  const api = new FakeMachineIdentityApi();
  api.identities = [
    makeIdentity({ id: 'expired', displayName: 'old.payments.example.test', violationCount: 2 }, -3),
    makeIdentity({ id: 'critical', displayName: 'api.payments.example.test' }, 5),
    makeIdentity({ id: 'warning', displayName: 'www.payments.example.test', reviewStatus: 'overdue' }, 20),
    makeIdentity({ id: 'ok', displayName: 'db.payments.example.test', management: 'automated' }, 200),
    makeIdentity({
      id: 'ssh',
      type: 'ssh-key',
      displayName: 'deploy@build-01',
      fingerprintSha256: '76f211927ab28e322e07e946a2e51a4f8c7e567700619148d7952f597b486087',
      observationCount: 3,
    }),
    makeIdentity({ id: 'other', displayName: 'not mine', component: 'component:default/other', owner: 'group:default/other' }, 10),
  ];
  api.details.ssh = {
    ...api.identities[4],
    observations: [
      { sourceId: 'fleet-keys', location: 'build-01:/home/deploy/.ssh/authorized_keys:3', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' },
      { sourceId: 'fleet-keys', location: 'build-02:/home/deploy/.ssh/authorized_keys:1', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' },
    ],
    violations: [
      { identityId: 'ssh', ruleId: 'ssh.shared-key', severity: 'warning', message: 'Key used by 2 accounts', remediation: 'Issue one key per account', firstDetected: '2026-02-01T00:00:00Z' },
    ],
    history: [{ at: '2026-01-01T00:00:00Z', action: 'discovered', message: 'First seen by fleet-keys' }],
  };
  return api;
}

describe('EntityMachineIdentityContent', () => {
  it("lists the entity's identities with expiry colours, asking the server for this entity", async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });

    const table = await screen.findByTestId('machine-identity-table');
    expect(table).toHaveAttribute('aria-label', 'Machine identities of payments-api');
    const rows = within(table).getAllByTestId('machine-identity-row');
    const status = Object.fromEntries(
      rows.map(r => [r.getAttribute('data-identity-id'), r.getAttribute('data-expiry-status')]),
    );
    expect(status).toEqual({ expired: 'expired', critical: 'critical', warning: 'warning', ok: 'ok', ssh: 'none' });
    expect(api.callsOf('listIdentities')[0]).toMatchObject({ entityRef: ref, limit: 50 });
    expect(screen.getByText('expired 3 days ago')).toBeInTheDocument();
    expect(screen.getByText('2 violations')).toBeInTheDocument();
    expect(screen.getByText('Review overdue')).toBeInTheDocument();
    expect(screen.getByText('Automated')).toBeInTheDocument();
    expect(screen.getAllByRole('img', { name: 'SSH key' })).toHaveLength(1);
    expect(screen.queryByText('not mine')).not.toBeInTheDocument();
  });

  it('pages through 2,000 credentials with the server cursor, 50 rows at a time', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = Array.from({ length: 2000 }, (_, i) =>
      makeIdentity({ id: `id-${String(i).padStart(4, '0')}` }, i),
    );
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    await screen.findByTestId('machine-identity-table');
    expect(screen.getAllByTestId('machine-identity-row')).toHaveLength(50);
    expect(screen.getByTestId('machine-identity-count')).toHaveTextContent('Showing the first 50');

    fireEvent.click(screen.getByTestId('machine-identity-load-more'));
    await waitFor(() => expect(screen.getAllByTestId('machine-identity-row')).toHaveLength(100));
    expect(api.callsOf('listIdentities')[1]).toMatchObject({ entityRef: ref, cursor: '50', limit: 50 });
  });

  it('sends type, violating and search filters to the server', async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    await screen.findByTestId('machine-identity-table');

    fireEvent.mouseDown(screen.getByTestId('filter-type'));
    fireEvent.click(await screen.findByRole('option', { name: 'SSH key' }));
    await waitFor(() => expect(screen.getAllByTestId('machine-identity-row')).toHaveLength(1));
    expect(api.callsOf('listIdentities').at(-1)).toMatchObject({ entityRef: ref, type: 'ssh-key' });

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(screen.getAllByTestId('machine-identity-row')).toHaveLength(5));

    fireEvent.click(screen.getByRole('checkbox', { name: 'Violating only' }));
    await waitFor(() => expect(screen.getAllByTestId('machine-identity-row')).toHaveLength(1));
    expect(api.callsOf('listIdentities').at(-1)).toMatchObject({ violating: true });

    fireEvent.change(screen.getByRole('textbox', { name: 'Search machine identities' }), {
      target: { value: 'nothing-matches' },
    });
    expect(await screen.findByText('No machine identities match')).toBeInTheDocument();
    expect(api.callsOf('listIdentities').at(-1)).toMatchObject({ violating: true, q: 'nothing-matches' });
  });

  it('sorts the loaded rows by expiry', async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    await screen.findByTestId('machine-identity-table');
    fireEvent.click(screen.getByRole('button', { name: 'Expires' }));
    const ids = () =>
      screen.getAllByTestId('machine-identity-row').map(r => r.getAttribute('data-identity-id'));
    expect(ids()).toEqual(['expired', 'critical', 'warning', 'ok', 'ssh']);
    fireEvent.click(screen.getByRole('button', { name: 'Expires' }));
    expect(ids()).toEqual(['ssh', 'ok', 'warning', 'critical', 'expired']);
  });

  it('expands where a key lives and opens the details drawer with both fingerprint forms', async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    await screen.findByTestId('machine-identity-table');

    fireEvent.click(screen.getByRole('button', { name: /3 locations of deploy@build-01/ }));
    const expanded = await screen.findByTestId('machine-identity-row-details');
    expect(within(expanded).getByText('build-02:/home/deploy/.ssh/authorized_keys:1')).toBeInTheDocument();
    expect(within(expanded).getByText('ssh.shared-key')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'deploy@build-01' }));
    const drawer = await screen.findByTestId('machine-identity-drawer');
    await within(drawer).findByTestId('identity-details');
    expect(within(drawer).getByTestId('fingerprint-openssh')).toHaveTextContent(
      'SHA256:dvIRknqyjjIuB+lGouUaT4x+VncAYZFI15UvWXtIYIc',
    );
    expect(within(drawer).getByTestId('fingerprint-hex')).toHaveTextContent('76:f2:11:92');
    expect(within(drawer).getByTestId('identity-violations')).toHaveTextContent(
      'Remediation: Issue one key per account',
    );
    expect(within(drawer).getByText('discovered: First seen by fleet-keys')).toBeInTheDocument();
  });

  it('explains the link annotations with a YAML example when nothing is linked', async () => {
    const api = new FakeMachineIdentityApi();
    await renderWithApi(<EntityMachineIdentityContent />, api, {
      entity: { ...paymentsApi, metadata: { name: 'ledger' } },
    });
    const empty = await screen.findByTestId('machine-identity-empty-state');
    expect(within(empty).getByText('No machine identities are linked to this entity')).toBeInTheDocument();
    await waitFor(() =>
      expect(empty).toHaveTextContent(
        "keyring.io/hostnames: 'api.ledger.example.test, *.ledger.example.test'",
      ),
    );
    expect(empty).toHaveTextContent('keyring.io/ssh-hosts');
    expect(empty).toHaveTextContent('backstage.io/kubernetes-id');
    expect(screen.queryByTestId('machine-identity-filters')).not.toBeInTheDocument();
  });

  it('says nothing matched yet when the entity is annotated but no scan found anything', async () => {
    const api = new FakeMachineIdentityApi();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    expect(await screen.findByText('No machine identities linked yet')).toBeInTheDocument();
  });

  it('shows a progress bar while loading and the error panel when the API fails', async () => {
    const api = estate();
    let release!: () => void;
    api.hold = new Promise(resolve => {
      release = resolve;
    });
    api.failWith = new Error('backend unavailable');
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    release();
    expect((await screen.findAllByText(/backend unavailable/)).length).toBeGreaterThan(0);
    expect(screen.queryByTestId('machine-identity-table')).not.toBeInTheDocument();
  });
});
