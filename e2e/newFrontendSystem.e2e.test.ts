import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { E2E_TOKEN, api, waitForOwnership } from './api';
import { seriousViolations, startAppNext } from './appNext';
import { openSignedIn, snap, useBrowser } from './browser';

/**
 * The same real portal (backend, catalog, demo estate) as the other e2e
 * files, seen through packages/app-next: Keyring's alpha extensions in an app
 * built with the new frontend system's createApp.
 */
describe('Keyring on the new frontend system', () => {
  let app: Awaited<ReturnType<typeof startAppNext>> | undefined;
  const browser = useBrowser(async () => {
    app = await startAppNext(inject('backendUrl'));
    await waitForOwnership();
  });
  afterAll(async () => {
    await app?.close();
  });
  const appUrl = () => {
    if (!app) throw new Error('app-next not started');
    return app.url;
  };

  /** Rows of the identity table on the page: name → data-expiry-status. */
  async function tableRows(page: Page, expectName: string) {
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

  async function expectAccessible(page: Page, view: string) {
    const violations = await seriousViolations(page);
    expect(violations, `${view}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }

  it("shows payments-api's Machine identities tab with the real inventory", async () => {
    const page = await openSignedIn(browser(), `${appUrl()}/catalog/default/component/payments-api/machine-identities`);
    const rows = await tableRows(page, 'api.payments.example.test');
    expect(rows.get('api.payments.example.test')).toBe('critical'); // 5 days left in the demo estate
    expect([...rows.keys()].some(name => name.includes('deploy@payments-ci'))).toBe(true);
    // The tab is one of the entity page's tabs, next to the catalog's own.
    await page.locator('a[href$="/catalog/default/component/payments-api/machine-identities"]').first().waitFor();
    await snap(page, 'next-component-tab-payments-api');
    await expectAccessible(page, 'component tab');
    await page.close();
  });

  it("shows the payments Group's tab with the team's identities", async () => {
    const owned = await api<{ items: Array<{ displayName: string }>; total?: number }>(
      `/identities?owner=${encodeURIComponent('group:default/payments')}&limit=200`,
    );
    expect(owned.items.length).toBeGreaterThan(0);
    const page = await openSignedIn(browser(), `${appUrl()}/catalog/default/group/payments/machine-identities`);
    const rows = await tableRows(page, 'api.payments.example.test');
    expect(rows.get('api.payments.example.test')).toBe('critical');
    expect(owned.items.some(i => i.displayName === 'api.payments.example.test')).toBe(true);
    await snap(page, 'next-group-tab-payments');
    await expectAccessible(page, 'group tab');
    await page.close();
  });

  it("shows a MachineIdentity entity's Identity view with its real fingerprint", async () => {
    const res = await fetch(
      `${inject('backendUrl')}/api/catalog/entities/by-query?filter=kind=MachineIdentity,metadata.title=api.payments.example.test`,
      { headers: { Authorization: `Bearer ${E2E_TOKEN}` } },
    );
    const entity = (await res.json()).items[0];
    expect(entity).toBeDefined();
    const page = await openSignedIn(browser(), `${appUrl()}/catalog/default/machineidentity/${entity.metadata.name}/identity`);
    await page.getByTestId('machine-identity-entity-details').waitFor({ timeout: 60_000 });
    const shown = page.getByTestId('fingerprint-hex').first();
    await shown.waitFor({ timeout: 30_000 });
    expect((await shown.innerText()).replace(/[^0-9a-f]/gi, '').toLowerCase()).toBe(
      entity.metadata.annotations['keyring.io/fingerprint-sha256'],
    );
    await snap(page, 'next-machine-identity-entity');
    await expectAccessible(page, 'MachineIdentity entity page');
    await page.close();
  });

  it('shows the overview page with the inventory, reachable from the sidebar', async () => {
    const page = await openSignedIn(browser(), `${appUrl()}/catalog`);
    await page.locator('nav[aria-label="sidebar nav"]').getByText('Machine identities').first().click();
    await page.waitForURL(/\/machine-identities$/);
    await page.getByTestId('machine-identity-overview').waitFor({ timeout: 60_000 });
    await page.getByText(/tls-certificate|TLS certificate/i).first().waitFor({ timeout: 60_000 });
    await snap(page, 'next-overview');
    await expectAccessible(page, 'overview');
    await page.close();
  });
});
