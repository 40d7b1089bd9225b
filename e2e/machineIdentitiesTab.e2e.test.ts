import type { Browser } from 'playwright-core';
import { inject } from 'vitest';
import { waitForOwnership } from './api';
import { openSignedIn, snap, useBrowser } from './browser';

/** Opens a Component's Machine identities tab and returns its rows' name → expiry status. */
async function tabRows(browser: Browser, component: string, expectName: string) {
  const page = await openSignedIn(browser, `${inject('appUrl')}/catalog/default/component/${component}/machine-identities`);
  const table = page.getByTestId('machine-identity-table');
  await table.waitFor({ timeout: 60_000 });
  await table.getByText(expectName).first().waitFor({ timeout: 60_000 });
  const rows = await page.getByTestId('machine-identity-row').all();
  const result = new Map<string, string>();
  for (const row of rows) {
    const name = (await row.getByTestId('machine-identity-name').innerText()).split('\n')[0].trim();
    result.set(name, (await row.getAttribute('data-expiry-status')) ?? '');
  }
  return { page, rows: result };
}

describe('Machine identities in the browser', () => {
  const browser = useBrowser(waitForOwnership);

  it("lists payments-api's credentials with their expiry colours", async () => {
    const { page, rows } = await tabRows(browser(), 'payments-api', 'api.payments.example.test');
    expect(rows.get('api.payments.example.test')).toBe('critical'); // 5 days left
    // The shared deploy key of web-01/web-02 (matched by keyring.io/ssh-hosts + ssh-accounts).
    expect([...rows.keys()].some(name => name.includes('deploy@payments-ci'))).toBe(true);
    await snap(page, 'component-tab-payments-api');

    // The detail drawer shows the fingerprint and where it lives.
    await page.getByTestId('machine-identity-name').filter({ hasText: 'api.payments.example.test' }).first().click();
    await page.getByTestId('machine-identity-drawer').waitFor();
    await page.getByTestId('identity-observations').waitFor();
    await snap(page, 'identity-drawer');
    await page.close();
  });

  it('colours a certificate expiring within 30 days as a warning and an expired one as expired', async () => {
    for (const [component, name, status] of [
      ['checkout-web', 'checkout.example.test', 'warning'], // 20 days left
      ['legacy-billing', 'billing.example.test', 'expired'], // expired 3 days ago
      ['identity-gateway', 'login.identity.example.test', 'ok'], // 300 days left
    ]) {
      const { page, rows } = await tabRows(browser(), component, name);
      expect(rows.get(name)).toBe(status);
      await snap(page, `component-tab-${component}`);
      await page.close();
    }
  });

  it('shows the overview page with the inventory', async () => {
    const page = await openSignedIn(browser(), `${inject('appUrl')}/machine-identities`);
    await page.getByText(/tls-certificate|TLS certificate/i).first().waitFor({ timeout: 60_000 });
    await snap(page, 'overview');
    await page.close();
  });

  it('shows the overview card on the Component page', async () => {
    const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog/default/component/payments-api`);
    await page.getByTestId('machine-identity-overview-card').waitFor({ timeout: 60_000 });
    await page.getByTestId('card-soonest').waitFor({ timeout: 60_000 });
    await snap(page, 'component-overview-card');
    await page.close();
  });
});
