import type { Page } from 'playwright-core';

/** One Keyring view of the new-frontend-system app, as the e2e run visits it. */
export interface KeyringView {
  /** Screenshot file name, e.g. 'component-tab'. */
  name: string;
  /** Path in the app, e.g. '/catalog/default/component/payments-api/machine-identities'. */
  path: string;
  /** The demo user to sign in as ('dave'); the guest ("Enter") when absent. */
  user?: string;
  /** Resolves once the view shows the real backend's data (and checks that data). */
  ready: (page: Page) => Promise<void>;
}

/** Rows of the identity table on the page: name → data-expiry-status. */
export async function tableRows(page: Page, expectName: string): Promise<Map<string, string>> {
  const table = page.getByTestId('machine-identity-table');
  await table.waitFor({ timeout: 60_000 });
  await table.getByText(expectName).first().waitFor({ timeout: 60_000 });
  const rows = new Map<string, string>();
  for (const row of await page.getByTestId('machine-identity-row').all()) {
    const name = (await row.getByTestId('machine-identity-name').innerText()).split('\n')[0].trim();
    rows.set(name, (await row.getAttribute('data-expiry-status')) ?? '');
  }
  return rows;
}

const visible = { timeout: 60_000 };

/**
 * Every Keyring view the app shows: the Component and Group tabs, the cards on
 * a Component's overview, a MachineIdentity's own page, the overview and
 * Decommissioning pages, a Group's Scorecard and Ownership review tabs.
 * `machineIdentityName` is the catalog name of api.payments.example.test's
 * MachineIdentity and `fingerprint` its SHA-256 annotation.
 */
export function keyringViews(machineIdentityName: string, fingerprint: string): KeyringView[] {
  return [
    {
      name: 'component-tab',
      path: '/catalog/default/component/payments-api/machine-identities',
      async ready(page) {
        const rows = await tableRows(page, 'api.payments.example.test');
        expect(rows.get('api.payments.example.test')).toBe('critical'); // 5 days left in the demo estate
        expect([...rows.keys()].some(name => name.includes('deploy@payments-ci'))).toBe(true);
      },
    },
    {
      name: 'component-overview-cards',
      path: '/catalog/default/component/payments-api',
      async ready(page) {
        await page.getByText('Machine identity scorecard').first().waitFor(visible);
        await page.getByTestId('check-machine-identity-no-expired').waitFor(visible);
      },
    },
    {
      name: 'group-tab',
      path: '/catalog/default/group/payments/machine-identities',
      async ready(page) {
        const rows = await tableRows(page, 'api.payments.example.test');
        expect(rows.get('api.payments.example.test')).toBe('critical');
      },
    },
    {
      name: 'group-scorecard',
      path: '/catalog/default/group/payments/machine-identity-scorecard',
      async ready(page) {
        await page.getByText('Components, worst first').first().waitFor(visible);
        await page.getByRole('link', { name: 'payments-api' }).first().waitFor(visible);
        await page.getByRole('button', { name: 'Export evidence' }).waitFor(visible);
      },
    },
    {
      // A member of billing, so the campaign's decision controls show.
      name: 'group-ownership-review',
      path: '/catalog/default/group/billing/ownership-review',
      user: 'dave',
      async ready(page) {
        await page.getByText(/\d+ of \d+ attested/).first().waitFor(visible);
        await page.getByRole('checkbox', { name: 'select all' }).waitFor(visible);
      },
    },
    {
      name: 'machine-identity-entity',
      path: `/catalog/default/machineidentity/${machineIdentityName}/identity`,
      async ready(page) {
        await page.getByTestId('machine-identity-entity-details').waitFor(visible);
        const shown = page.getByTestId('fingerprint-hex').first();
        await shown.waitFor(visible);
        expect((await shown.innerText()).replace(/[^0-9a-f]/gi, '').toLowerCase()).toBe(fingerprint);
      },
    },
    {
      name: 'overview-page',
      path: '/machine-identities',
      async ready(page) {
        await page.getByTestId('machine-identity-overview').waitFor(visible);
        await page.getByText(/tls-certificate|TLS certificate/i).first().waitFor(visible);
      },
    },
    {
      name: 'decommissioning-page',
      path: '/decommissioning',
      async ready(page) {
        await page.getByRole('heading', { name: 'Decommissioning' }).first().waitFor(visible);
        // Loaded: the empty state or at least one card/table, not the progress bar.
        await page.getByText(/Nothing to decommission|awaiting approval|Revocation/).first().waitFor(visible);
      },
    },
  ];
}
