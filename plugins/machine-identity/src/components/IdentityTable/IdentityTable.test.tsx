import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import {
  FakeMachineIdentityApi,
  makeIdentity,
} from '../../testUtils/FakeMachineIdentityApi';
import { paymentsApi, renderWithApi } from '../../testUtils/renderWithApi';
import { EntityMachineIdentityContent } from '../EntityMachineIdentityContent/EntityMachineIdentityContent';
import { BreakableText } from '../shared/BreakableText';
import { IdentityTable } from './IdentityTable';

const component = 'component:default/payments-api';

function estate() {
  const api = new FakeMachineIdentityApi();
  api.identities = [
    makeIdentity({ id: 'cert', displayName: 'batch-signer.payments.example.test', violationCount: 2 }, 4),
    makeIdentity({ id: 'key', type: 'ssh-key', displayName: 'deploy@payments-ci' }),
  ];
  api.violations = [
    { identityId: 'cert', ruleId: 'tls.expiry', severity: 'error', message: 'Expires in 4 days', remediation: 'Renew it', firstDetected: '2026-11-01T00:00:00Z', identityDisplayName: 'batch-signer.payments.example.test', identityType: 'tls-certificate', component, owner: 'group:default/payments' },
    { identityId: 'cert', ruleId: 'tls.automation', severity: 'warning', message: 'Renewal is manual', remediation: 'Use cert-manager', firstDetected: '2026-11-01T00:00:00Z', identityDisplayName: 'batch-signer.payments.example.test', identityType: 'tls-certificate', component, owner: 'group:default/payments' },
  ];
  return api;
}

/** Makes MUI's useMediaQuery see a window narrower than the "lg" breakpoint. */
function narrowWindow(narrow: boolean) {
  const original = window.matchMedia;
  window.matchMedia = ((query: string) => ({
    matches: narrow && query.includes('max-width'),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  })) as typeof window.matchMedia;
  return () => {
    window.matchMedia = original;
  };
}

describe('IdentityTable layout', () => {
  it('keeps every header and short value on one line and lets only the name column wrap', async () => {
    await renderWithApi(<EntityMachineIdentityContent />, estate(), { entity: paymentsApi });
    const table = await screen.findByTestId('machine-identity-table');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map(h => h.textContent)).toEqual([
      'Type', 'Name / subject', 'Where it lives', 'Owner', 'Expires', 'Policy', 'Review', 'Management',
    ]);
    for (const header of headers) {
      expect(header).toHaveStyle({ whiteSpace: 'nowrap' });
    }
    const row = within(table).getAllByTestId('machine-identity-row')[0];
    const cells = within(row).getAllByRole('cell');
    // Owner, expiry, locations and management never wrap; the name may, but only between words.
    for (const index of [2, 3, 4, 7]) {
      expect(cells[index]).toHaveStyle({ whiteSpace: 'nowrap' });
    }
    expect(cells[1]).not.toHaveStyle({ whiteSpace: 'nowrap' });
    expect(within(cells[3]).getByRole('link', { name: /payments/i })).toBeInTheDocument();
  });

  it('titles the table with the number of identities, and "+" while the server has more', async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    expect(await screen.findByTestId('machine-identity-table-title')).toHaveTextContent('Machine identities (2)');

    const many = new FakeMachineIdentityApi();
    many.identities = Array.from({ length: 60 }, (_, i) => makeIdentity({ id: `id-${i}` }, i));
    await renderWithApi(<EntityMachineIdentityContent />, many, { entity: paymentsApi });
    await waitFor(() =>
      expect(screen.getAllByTestId('machine-identity-table-title').at(-1)).toHaveTextContent('Machine identities (50+)'),
    );
  });

  it("shows an entity's violated rules as severity chips whose tooltip gives the message", async () => {
    const api = estate();
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    const chips = await screen.findAllByTestId('violation-chip');
    expect(chips.map(c => [c.getAttribute('data-rule-id'), c.getAttribute('data-severity')])).toEqual([
      ['tls.automation', 'warning'],
      ['tls.expiry', 'error'],
    ]);
    // One request for the whole table, not one per row.
    expect(api.callsOf('listViolations')).toEqual([{ entityRef: component, limit: 500 }]);

    fireEvent.mouseOver(chips[1]);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Expires in 4 days — Remediation: Renew it');
    expect(chips[1]).toHaveAccessibleName('tls.expiry (error): Expires in 4 days');
  });

  it('falls back to a violation count that opens the row when the rules are not loaded', async () => {
    const api = estate();
    api.violations = api.violations.slice(0, 1); // fewer than violationCount: the list is incomplete
    api.details.cert = {
      ...api.identities[0],
      observations: [{ sourceId: 'demo-tls', location: '127.0.10.1:443', firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' }],
      violations: api.violations.map(({ component: _c, owner: _o, ...v }) => v),
      history: [],
    };
    await renderWithApi(<EntityMachineIdentityContent />, api, { entity: paymentsApi });
    const count = await screen.findByTestId('policy-violation-count');
    expect(count).toHaveTextContent('2 violations');
    expect(screen.queryByTestId('policy-rule-chips')).not.toBeInTheDocument();

    fireEvent.click(count);
    const details = await screen.findByTestId('machine-identity-row-details');
    const violation = within(details).getByTestId('identity-violation');
    expect(violation).toHaveAttribute('data-severity', 'error');
    expect(within(violation).getByTestId('violation-chip')).toHaveAttribute('data-rule-id', 'tls.expiry');
    expect(within(details).getByTestId('identity-observations')).toHaveTextContent('127.0.10.1:443');
  });

  it('folds the locations and management columns into others on a narrow window', async () => {
    const restore = narrowWindow(true);
    try {
      await renderWithApi(
        <IdentityTable title="All" scope={{}} filters={{}} onFiltersChange={() => {}} />,
        estate(),
      );
      const table = await screen.findByTestId('machine-identity-table');
      expect(within(table).getAllByRole('columnheader').map(h => h.textContent)).toEqual([
        'Type', 'Name / subject', 'Owner', 'Expires', 'Policy', 'Review',
      ]);
      const row = within(table).getAllByTestId('machine-identity-row')[1];
      const cells = within(row).getAllByRole('cell');
      expect(within(cells[1]).getByTestId('machine-identity-locations-toggle')).toHaveTextContent('1 location');
      expect(within(cells[5]).getByText('Manual')).toBeInTheDocument();
      // Without an entity there is no per-table violations request: counts are shown.
      expect(screen.getByTestId('policy-violation-count')).toHaveTextContent('2 violations');
    } finally {
      restore();
    }
  });
});

describe('BreakableText', () => {
  it('offers line breaks after host name dots and inside long hashes without changing the text', () => {
    const { container } = render(
      <p>
        <BreakableText text="batch-signer.payments.example.test" />|
        <BreakableText text="SHA256:AGSV54x7ES4aZTATcKr+lTnSnDtJIOkqBU7o4/O5d/8" />
      </p>,
    );
    const p = container.querySelector('p')!;
    expect(p).toHaveTextContent(
      'batch-signer.payments.example.test|SHA256:AGSV54x7ES4aZTATcKr+lTnSnDtJIOkqBU7o4/O5d/8',
    );
    expect(p.innerHTML).toContain('batch-<wbr>signer.<wbr>payments.<wbr>example.<wbr>test');
    // The hash has no run longer than 16 characters left without a break opportunity.
    const runs = p.innerHTML.split('|')[1].split(/<wbr>/);
    expect(Math.max(...runs.map(r => r.length))).toBeLessThanOrEqual(16);
  });
});
