import { alertApiRef } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { ScanRun } from '@keyring/plugin-machine-identity-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeMachineIdentityApi, makeIdentity } from '../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../testUtils/renderWithApi';
import { TestSignalApi } from '../testUtils/TestSignalApi';
import { EntityMachineIdentityContent } from './EntityMachineIdentityContent/EntityMachineIdentityContent';
import { ScanSourcesTable } from './MachineIdentityPage/ScanSourcesTable';

const alerts = { post: () => {}, alert$: () => ({ subscribe: () => ({ unsubscribe() {}, closed: false }) }) };
const run = (over: Partial<ScanRun>): ScanRun => ({
  id: 'scan-1', sourceId: 'edge-tls', status: 'succeeded', startedAt: '2026-12-01T10:00:00Z', seen: 0, added: 0, retired: 0, errors: [], ...over,
});

function sourcesApi() {
  const api = new FakeMachineIdentityApi();
  api.sources = [{ id: 'edge-tls', type: 'tls', lastRun: run({ finishedAt: '2026-12-01T10:01:00Z', seen: 4 }) }];
  return api;
}

const bar = () => within(screen.getByTestId('scan-progress')).getByRole('progressbar');

describe('live scan progress on the sources table', () => {
  it('moves a done/total progress bar with the pushed signals and reloads the row when the run ends', async () => {
    const api = sourcesApi();
    const signals = new TestSignalApi();
    await renderWithApi(<ScanSourcesTable />, api, { extraApis: [[alertApiRef, alerts], [signalApiRef, signals]] });
    fireEvent.click(await screen.findByRole('button', { name: 'Scan now: edge-tls' }));
    await waitFor(() => expect(screen.getByTestId('scan-source-row')).toHaveAttribute('data-status', 'running'));
    const scanId = api.sources[0].lastRun!.id;
    expect(signals.channels()).toContain('machine-identity:scan:edge-tls');

    signals.publish('machine-identity:scan:edge-tls', { scanId, sourceId: 'edge-tls', status: 'running', done: 2, total: 5, seen: 1 });
    expect(bar()).toHaveAttribute('aria-valuenow', '40');
    expect(screen.getByTestId('scan-progress')).toHaveTextContent('2 of 5 done');
    signals.publish('machine-identity:scan:edge-tls', { scanId, sourceId: 'edge-tls', status: 'running', done: 4, total: 5, seen: 3 });
    expect(bar()).toHaveAttribute('aria-valuenow', '80');
    expect(bar()).toHaveAccessibleName('Scan of edge-tls: 4 of 5 done');

    const reads = api.callsOf('listSources').length;
    api.sources[0].lastRun = { ...api.sources[0].lastRun!, status: 'succeeded', seen: 5, progress: { done: 5, total: 5 } };
    signals.publish('machine-identity:scan:edge-tls', { scanId, sourceId: 'edge-tls', status: 'succeeded', done: 5, total: 5, seen: 5 });
    await waitFor(() => expect(screen.getByTestId('scan-source-row')).toHaveAttribute('data-status', 'succeeded'));
    expect(api.callsOf('listSources').length).toBe(reads + 1);
    expect(screen.queryByTestId('scan-progress')).not.toBeInTheDocument();
  });

  it('shows a run another replica started as soon as its first signal arrives', async () => {
    const api = sourcesApi();
    const signals = new TestSignalApi();
    await renderWithApi(<ScanSourcesTable />, api, { extraApis: [[alertApiRef, alerts], [signalApiRef, signals]] });
    await screen.findByTestId('scan-source-row');
    api.sources[0].lastRun = run({ id: 'scan-2', status: 'running', progress: { done: 1, total: 10 } });
    signals.publish('machine-identity:scan:edge-tls', { scanId: 'scan-2', sourceId: 'edge-tls', status: 'running', done: 1, total: 10, seen: 0 });
    expect(bar()).toHaveAttribute('aria-valuenow', '10');
    await waitFor(() => expect(screen.getByTestId('scan-source-row')).toHaveAttribute('data-status', 'running'));
  });

  it('without the signals plugin, polls the running run and shows its stored done/total', async () => {
    const api = sourcesApi();
    api.sources[0].lastRun = run({ status: 'running', progress: { done: 1, total: 4 } });
    await renderWithApi(<ScanSourcesTable />, api, { extraApis: [[alertApiRef, alerts]] });
    await waitFor(() => expect(bar()).toHaveAttribute('aria-valuenow', '25'));
    api.sources[0].lastRun = run({ status: 'running', progress: { done: 3, total: 4 } });
    await waitFor(() => expect(bar()).toHaveAttribute('aria-valuenow', '75'), { timeout: 5000 });
    api.sources[0].lastRun = run({ status: 'succeeded', progress: { done: 4, total: 4 } });
    await waitFor(() => expect(screen.queryByTestId('scan-progress')).not.toBeInTheDocument(), { timeout: 5000 });
  });
});

describe('the entity tab refreshes when its identities change', () => {
  const ref = 'component:default/payments-api';
  const rows = () => screen.getAllByTestId('machine-identity-row').map(r => r.getAttribute('data-identity-id'));

  it('reloads once per burst of inventory signals for its entity, and not for another entity', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = [makeIdentity({ id: 'a', component: ref }, 40)];
    const signals = new TestSignalApi();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi, extraApis: [[signalApiRef, signals]] });
    await waitFor(() => expect(rows()).toEqual(['a']));
    expect(signals.channels()).toContain(`machine-identity:inventory:${ref}`);
    const loads = api.callsOf('listIdentities').length;

    api.identities.push(makeIdentity({ id: 'b', component: ref }, -1));
    signals.publish('machine-identity:inventory:component:default/other', { entityRef: 'component:default/other', changed: 1 });
    signals.publish(`machine-identity:inventory:${ref}`, { entityRef: ref, changed: 1 });
    signals.publish(`machine-identity:inventory:${ref}`, { entityRef: ref, changed: 1 });
    await waitFor(() => expect(rows()).toEqual(['a', 'b']));
    expect(api.callsOf('listIdentities').length).toBe(loads + 1);
  });

  it('stays as loaded without the signals plugin', async () => {
    const api = new FakeMachineIdentityApi();
    api.identities = [makeIdentity({ id: 'a', component: ref }, 40)];
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    await waitFor(() => expect(rows()).toEqual(['a']));
    expect(api.callsOf('listIdentities')).toHaveLength(1);
  });
});
