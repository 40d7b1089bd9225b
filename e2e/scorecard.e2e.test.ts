import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { guestToken, waitForOwnership } from './api';
import { openSignedIn, snap, useBrowser } from './browser';

/** Keyring's facts for an entity, read from the Tech Insights backend as the signed-in guest. */
async function facts(entity: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(
    `${inject('backendUrl')}/api/tech-insights/facts/latest?entity=${encodeURIComponent(entity)}&ids=machineIdentityFactRetriever`,
    { headers: { Authorization: `Bearer ${await guestToken()}` } },
  );
  if (!res.ok) return undefined;
  return (await res.json()).machineIdentityFactRetriever?.facts;
}

/** Waits until the fact retriever has run after the scans linked payments-api's certificate. */
async function scorecardReady() {
  await waitForOwnership();
  const deadline = Date.now() + 240_000;
  for (;;) {
    const current = await facts('component:default/payments-api');
    if (current && Number(current.expiringWithin7Days) >= 1) return;
    if (Date.now() > deadline) throw new Error(`payments-api facts not ready: ${JSON.stringify(current)}`);
    await new Promise(r => setTimeout(r, 2000));
  }
}

const check = (page: Page, id: string) => page.getByTestId(`check-machine-identity-${id}`);

describe('Machine identity scorecard in the browser', () => {
  const browser = useBrowser(scorecardReady);

  it("shows payments-api's scorecard card with its failing and passing checks", async () => {
    const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog/default/component/payments-api`);
    await page.getByText('Machine identity scorecard').waitFor({ timeout: 60_000 });
    await check(page, 'none-expiring-7-days').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId(/^check-machine-identity-/).count()).toBe(7);
    // api.payments.example.test has 5 days left
    expect(await check(page, 'none-expiring-7-days').getAttribute('data-status')).toBe('fail');
    expect(await check(page, 'none-expiring-7-days').getByRole('link', { name: 'Show identities' }).getAttribute('href')).toBe(
      '/catalog/default/component/payments-api/machine-identities?state=active&expiresWithinDays=7',
    );
    expect(await check(page, 'no-orphans').getAttribute('data-status')).toBe('pass');
    await snap(page, 'scorecard-payments-api');
    await page.close();
  });

  it('fails "no expired credential" for legacy-billing and passes it for identity-gateway', async () => {
    for (const [component, status] of [['legacy-billing', 'fail'], ['identity-gateway', 'pass']]) {
      const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog/default/component/${component}`);
      await check(page, 'no-expired').waitFor({ timeout: 60_000 });
      expect({ component, status: await check(page, 'no-expired').getAttribute('data-status') }).toEqual({ component, status });
      await page.close();
    }
  });

  it("ranks the payments Group's Components worst first on its Scorecard tab, with the evidence export", async () => {
    const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog/default/group/payments/machine-identity-scorecard`);
    await page.getByText('Components, worst first').waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'payments-api' }).first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Export evidence' }).waitFor();
    await snap(page, 'scorecard-group-payments');
    await page.close();
  });
});
