import { alertApiRef } from '@backstage/core-plugin-api';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  FakeMachineIdentityApi,
  makeIdentity,
} from '../../testUtils/FakeMachineIdentityApi';
import { renderWithApi } from '../../testUtils/renderWithApi';
import { MachineIdentityPage } from './MachineIdentityPage';

function fakeAlertApi() {
  const posted: { message: string; severity?: string }[] = [];
  return {
    posted,
    api: {
      post: (alert: { message: string; severity?: string }) => posted.push(alert),
      alert$: () => ({ subscribe: () => ({ unsubscribe() {}, closed: false }) }),
    },
  };
}

function estate() {
  const api = new FakeMachineIdentityApi();
  api.summary = {
    total: 1234,
    byType: { 'tls-certificate': 900, 'ssh-key': 300, 'api-token': 34 },
    byState: { active: 1200, gone: 30, revoked: 4 },
    owned: 1100,
    orphaned: 134,
    byManagement: { automated: 600, manual: 600 },
    managedShare: 0.5,
    violating: 210,
    expiring: { expired: 12, within7Days: 5, within30Days: 25, within90Days: 70 },
    byRule: { 'tls.expiry': 42, 'ssh.algorithm': 99, 'any.orphan': 0 },
  };
  api.policy = [
    { id: 'ssh.algorithm', appliesTo: ['ssh-key'], description: 'Ed25519 or strong RSA', enabled: true, parameters: {} },
  ];
  api.sources = [
    {
      id: 'corp-tls',
      type: 'tls',
      lastRun: { id: 'r1', sourceId: 'corp-tls', status: 'partial', startedAt: '2026-11-25T08:00:00Z', finishedAt: '2026-11-25T08:01:00Z', seen: 40, added: 2, retired: 0, errors: [{ location: '127.0.10.3:8443', message: 'handshake timeout' }] },
    },
    { id: 'fleet-keys', type: 'ssh-files' },
  ];
  api.identities = [
    makeIdentity({ id: 't1', displayName: 'api.example.test' }, 40),
    makeIdentity({ id: 's1', type: 'ssh-key', displayName: 'deploy@build-01' }),
    makeIdentity({ id: 's2', type: 'ssh-key', displayName: 'root@build-02', violationCount: 1 }),
  ];
  api.violations = [
    { identityId: 's2', ruleId: 'ssh.algorithm', severity: 'error', message: 'DSA keys are not allowed', remediation: 'Replace with Ed25519', firstDetected: '2026-11-01T00:00:00Z', identityDisplayName: 'root@build-02', identityType: 'ssh-key', owner: 'group:default/platform' },
  ];
  return api;
}

describe('MachineIdentityPage', () => {
  it('shows inventory numbers that link to the filtered list', async () => {
    const api = estate();
    const alerts = fakeAlertApi();
    await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, alerts.api]] });
    await screen.findByTestId('machine-identity-overview');

    expect(screen.getByTestId('stat-total')).toHaveTextContent('1,234');
    expect(screen.getByRole('link', { name: '210 Violating policy' })).toHaveAttribute('href', '/?violating=true');
    expect(screen.getByRole('link', { name: '25 Expire within 30 days' })).toHaveAttribute('href', '/?state=active&expiresWithinDays=30');
    expect(screen.getByRole('link', { name: '300 SSH key' })).toHaveAttribute('href', '/?type=ssh-key');
    expect(screen.getByRole('link', { name: '30 Gone' })).toHaveAttribute('href', '/?state=gone');
    expect(screen.getByTestId('breakdown-ownership-orphaned')).toHaveTextContent('134');
    expect(screen.getByTestId('stat-managed-share')).toHaveTextContent('50 %');
  });

  it('draws the 90-day expiry timeline from the cumulative buckets', async () => {
    const api = estate();
    await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, fakeAlertApi().api]] });
    const chart = await screen.findByTestId('expiry-timeline');
    const count = (key: string) =>
      within(chart).getByTestId(`expiry-bar-${key}`).getAttribute('data-count');
    expect([count('expired'), count('days-7'), count('days-30'), count('days-90')]).toEqual(['12', '5', '20', '45']);

    fireEvent.click(within(chart).getByRole('link', { name: '0–7 days: 5 identities' }));
    await waitFor(() =>
      expect(api.callsOf('listIdentities').at(-1)).toMatchObject({ state: 'active', expiresWithinDays: 7 }),
    );
  });

  it('ranks violated rules and lists the violations of a rule from its link', async () => {
    const api = estate();
    await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, fakeAlertApi().api]] });
    const rules = await screen.findByTestId('top-violated-rules');
    const ids = within(rules).getAllByTestId('top-violated-rule').map(r => r.getAttribute('data-rule-id'));
    expect(ids).toEqual(['ssh.algorithm', 'tls.expiry']);
    expect(within(rules).getByText('Ed25519 or strong RSA')).toBeInTheDocument();

    fireEvent.click(within(rules).getByRole('link', { name: '99 violations of ssh.algorithm' }));
    const table = await screen.findByTestId('machine-identity-violations-table');
    expect(table).toHaveTextContent('DSA keys are not allowed');
    expect(table).toHaveTextContent('Replace with Ed25519');
    expect(table).toHaveTextContent('root@build-02');
    expect(within(table).getByRole('img', { name: 'SSH key' })).toBeInTheDocument();
    expect(api.callsOf('listViolations').at(-1)).toMatchObject({ ruleId: 'ssh.algorithm' });
  });

  it('counts rules from the latest violations when the backend gives no per-rule totals', async () => {
    const api = estate();
    delete api.summary!.byRule;
    await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, fakeAlertApi().api]] });
    const rules = await screen.findByTestId('top-violated-rules');
    expect(within(rules).getAllByTestId('top-violated-rule')).toHaveLength(1);
    expect(within(rules).getByRole('link', { name: '1 violations of ssh.algorithm' })).toBeInTheDocument();
  });

  it('shows scan sources with health and starts a scan', async () => {
    const api = estate();
    const alerts = fakeAlertApi();
    await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, alerts.api]] });
    const sources = await screen.findByTestId('scan-sources');
    const rows = within(sources).getAllByTestId('scan-source-row');
    expect(rows.map(r => r.getAttribute('data-status'))).toEqual(['partial', 'never']);
    expect(rows[0]).toHaveTextContent('Partial');
    expect(rows[1]).toHaveTextContent('Never run');

    fireEvent.click(within(sources).getByRole('button', { name: 'Scan now: fleet-keys' }));
    await waitFor(() => expect(api.callsOf('triggerScan')).toEqual(['fleet-keys']));
    await waitFor(() =>
      expect(within(screen.getByTestId('scan-sources')).getAllByTestId('scan-source-row')[1]).toHaveAttribute('data-status', 'running'),
    );
    expect(alerts.posted[0].message).toMatch(/Scan of fleet-keys started/);
  });

  it('reads the list filters from the URL', async () => {
    const api = estate();
    await renderWithApi(<MachineIdentityPage />, api, {
      routeEntries: ['/?type=ssh-key&violating=true&bogus=1'],
      extraApis: [[alertApiRef, fakeAlertApi().api]],
    });
    const table = await screen.findByTestId('machine-identity-table');
    expect(within(table).getAllByTestId('machine-identity-row').map(r => r.getAttribute('data-identity-id'))).toEqual(['s2']);
    expect(api.callsOf('listIdentities')[0]).toEqual({ type: 'ssh-key', violating: true, limit: 50 });
  });

  it('shows the error panel when the summary fails, and empty states for an empty inventory', async () => {
    const api = estate();
    api.summary = undefined;
    const { unmount } = await renderWithApi(<MachineIdentityPage />, api, { extraApis: [[alertApiRef, fakeAlertApi().api]] });
    expect((await screen.findAllByText(/no summary/)).length).toBeGreaterThan(0);
    unmount();

    const empty = new FakeMachineIdentityApi();
    empty.summary = {
      total: 0, byType: {}, byState: {}, owned: 0, orphaned: 0, byManagement: {}, managedShare: 0, violating: 0,
      expiring: { expired: 0, within7Days: 0, within30Days: 0, within90Days: 0 }, byRule: {},
    };
    await renderWithApi(<MachineIdentityPage />, empty, { extraApis: [[alertApiRef, fakeAlertApi().api]] });
    expect(await screen.findByText('No scan sources')).toBeInTheDocument();
    expect(await screen.findByText('No violations')).toBeInTheDocument();
    expect(await screen.findByText('No machine identities match')).toBeInTheDocument();
  });
});
