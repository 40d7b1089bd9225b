import type { Identity, Page } from '@keyring/plugin-machine-identity-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { IdentityQuery } from '../../api/MachineIdentityApi';
import { FakeMachineIdentityApi, makeIdentity } from '../../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityContent } from '../EntityMachineIdentityContent/EntityMachineIdentityContent';
import { IdentityTable } from './IdentityTable';

/** The fake API answering as the real server does: the filter's exact total on every page. */
class CountingApi extends FakeMachineIdentityApi {
  async listIdentities(query: IdentityQuery = {}): Promise<Page<Identity>> {
    const page = await super.listIdentities(query);
    const all = await super.listIdentities({ ...query, cursor: undefined, limit: this.identities.length || 1 });
    return { ...page, total: all.items.length };
  }
}

const YEAR = 365.25 * 86_400_000;

function fleet(size: number) {
  const api = new CountingApi();
  api.identities = Array.from({ length: size }, (_, i) =>
    makeIdentity({ id: `id-${String(i).padStart(4, '0')}`, displayName: `svc-${i}.payments.example.test` }, 10 + i),
  );
  return api;
}

function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

describe('IdentityTable triage', () => {
  it("titles a Group's tab with the server's exact total, not the loaded page count", async () => {
    await renderWithApi(<EntityMachineIdentityContent />, fleet(2000), { entity: paymentsApi });
    await waitFor(() =>
      expect(screen.getAllByTestId('machine-identity-table-title').at(-1)).toHaveTextContent(
        'Machine identities (2,000)',
      ),
    );
    expect(screen.getByTestId('machine-identity-count')).toHaveTextContent('Showing the first 50 of 2,000 identities');
  });

  it('reads far expiries as years or "no practical expiry", never as hundreds of thousands of days', async () => {
    const api = new CountingApi();
    api.identities = [
      makeIdentity({ id: 'root', displayName: 'Legacy root', notAfter: '9999-12-31T23:59:59Z' }),
      makeIdentity({ id: 'far', displayName: 'Long-lived CA', notAfter: new Date(Date.now() + 42.5 * YEAR).toISOString() }),
      makeIdentity({ id: 'soon', displayName: 'api cert' }, 5.5),
    ];
    await renderWithApi(<IdentityTable title="All" scope={{}} filters={{}} onFiltersChange={() => {}} />, api);
    const labels = await screen.findAllByTestId('expiry-label');
    expect(labels.map(l => l.textContent)).toEqual(['no practical expiry', 'in 42 years', 'in 5 days']);
    expect(screen.getByTestId('machine-identity-table')).not.toHaveTextContent(/\d{4,} days/);
  });

  it('shows the rules a row breaks, with the main message, without hovering and without a violations request', async () => {
    const api = new CountingApi();
    api.identities = [
      makeIdentity({
        id: 'cert',
        displayName: 'www.facebook.com',
        violationCount: 2,
        openRules: [
          { ruleId: 'tls.expiry', severity: 'error', message: 'Expired 3 days ago' },
          { ruleId: 'tls.automation', severity: 'warning', message: 'Renewal is manual' },
        ],
      }),
    ];
    await renderWithApi(<IdentityTable title="All" scope={{}} filters={{}} onFiltersChange={() => {}} />, api);
    const chips = await screen.findByTestId('policy-rule-chips');
    expect(chips).toHaveTextContent('tls.automation');
    expect(chips).toHaveTextContent('tls.expiry');
    expect(within(chips).getByTestId('policy-rule-message')).toHaveTextContent('Expired 3 days ago');
    expect(screen.queryByTestId('policy-violation-count')).not.toBeInTheDocument();
    expect(api.callsOf('listViolations')).toEqual([]);
  });

  it('takes the filters from the URL query, so a link reproduces the view', async () => {
    const api = fleet(3);
    api.identities.push(
      makeIdentity({ id: 'key', type: 'ssh-key', displayName: 'deploy@payments-ci', violationCount: 1 }),
    );
    await renderWithApi(<EntityMachineIdentityContent />, api, {
      entity: paymentsApi,
      routeEntries: ['/?type=ssh-key&violating=true&q=deploy'],
    });
    const rows = await screen.findAllByTestId('machine-identity-row');
    expect(rows.map(r => r.getAttribute('data-identity-id'))).toEqual(['key']);
    expect(api.callsOf('listIdentities')[0]).toMatchObject({ type: 'ssh-key', violating: true, q: 'deploy' });
    expect(screen.getByRole('textbox')).toHaveValue('deploy');
  });

  it('downloads every identity of the current filter as CSV, paging through the API', async () => {
    const api = fleet(1203);
    api.identities[7] = { ...api.identities[7], displayName: 'a, "quoted" name', openRules: [{ ruleId: 'tls.expiry', severity: 'error', message: 'x' }] };
    const blobs: Blob[] = [];
    const create = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:keyring-test';
    });
    const revoke = vi.fn();
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    try {
      await renderWithApi(<EntityMachineIdentityContent />, api, {
        entity: paymentsApi,
        routeEntries: ['/?state=active'],
      });
      fireEvent.click(await screen.findByTestId('machine-identity-download-csv'));
      await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
      const csvCalls = (api.callsOf('listIdentities') as IdentityQuery[]).filter(q => q.limit === 500);
      expect(csvCalls).toHaveLength(3);
      expect(csvCalls.map(q => q.cursor)).toEqual([undefined, '500', '1000']);
      for (const q of csvCalls) {
        expect(q).toMatchObject({ state: 'active', entityRef: 'component:default/payments-api' });
      }
      const lines = (await readBlob(blobs[0])).split('\r\n').filter(Boolean);
      expect(lines[0]).toBe(
        'Type,Name,Subject,Locations,Owner,Component,Expires at,Expires,Violations,Rules broken,Review,Management',
      );
      expect(lines).toHaveLength(1 + 1203);
      expect(lines.find(l => l.includes('quoted'))).toBe(
        `TLS certificate,"a, ""quoted"" name",,1,group:default/payments,component:default/payments-api,${api.identities[7].notAfter},in 16 days,0,tls.expiry (error),Reviewed,Manual`,
      );
      expect(revoke).toHaveBeenCalledWith('blob:keyring-test');
    } finally {
      click.mockRestore();
    }
  });
});
