import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { asUser, machineIdentityEntity, waitForOwnership } from './api';
import { seriousViolations, startAppNext } from './appNext';
import { keyringViews, tableRows, type KeyringView } from './appNextViews';
import { type Theme, openSignedIn, openSignedInAs, screenshotDir, snap, useBrowser } from './browser';

const THEMES: Theme[] = ['light', 'dark'];

/** Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(c => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The e2e-slow-tls source's targets (e2e/app-config.e2e.yaml). */
const SLOW_HOST = '127.0.10.60';
const SLOW_PORTS = [18461, 18462, 18463, 18464, 18465];

/** TCP listeners that accept and never answer: each TLS handshake waits for its timeout. */
async function startTarpit(host: string, ports: number[]) {
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (const port of ports) {
    const server = createServer(socket => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    servers.push(server);
  }
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map(server => new Promise(resolve => server.close(resolve))));
    },
  };
}

/**
 * The same real portal (backend, catalog, demo estate) as the other e2e
 * files, seen through packages/app-next — the app `npm start` runs: Keyring's
 * alpha extensions in an app built with the new frontend system's createApp,
 * signed in through its demo-user sign-in page.
 */
describe('Keyring on the new frontend system', () => {
  let app: Awaited<ReturnType<typeof startAppNext>> | undefined;
  let views: KeyringView[] = [];
  const saved: string[] = [];
  const browser = useBrowser(async () => {
    app = await startAppNext(inject('backendUrl'));
    await waitForOwnership();
    const entity = await machineIdentityEntity('api.payments.example.test');
    views = keyringViews(entity.metadata.name, entity.metadata.annotations['keyring.io/fingerprint-sha256']);
    // The Ownership review view shows an open campaign: an admin opens one for billing.
    await asUser('user:default/erin', '/reviews/campaigns', {
      method: 'POST',
      body: JSON.stringify({ owner: 'group:default/billing' }),
    });
  });
  afterAll(async () => {
    await app?.close();
    if (saved.length > 0) {
      console.log(`app-next screenshots (${saved.length}) in ${path.join(screenshotDir, 'app-next')}`);
    }
  });
  const appUrl = () => {
    if (!app) throw new Error('app-next not started');
    return app.url;
  };
  const open = (view: KeyringView, theme?: Theme) =>
    view.user
      ? openSignedInAs(browser(), view.user, `${appUrl()}${view.path}`, theme)
      : openSignedIn(browser(), `${appUrl()}${view.path}`, theme);

  describe.each(THEMES)('every Keyring view in the %s theme', theme => {
    it.each([
      'component-tab',
      'component-overview-cards',
      'group-tab',
      'group-scorecard',
      'group-ownership-review',
      'machine-identity-entity',
      'overview-page',
      'decommissioning-page',
    ])('%s renders the real data with no serious or critical axe-core violation', async name => {
      const view = views.find(v => v.name === name);
      expect(view, name).toBeDefined();
      const page = await open(view!, theme);
      await view!.ready(page);
      // The theme really is the one asked for: the page background's luminance.
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      if (theme === 'dark') expect(luminance(background), background).toBeLessThan(0.1);
      else expect(luminance(background), background).toBeGreaterThan(0.8);
      saved.push(await snap(page, `app-next/${theme}/${name}`));
      const violations = await seriousViolations(page);
      expect(violations, `${name} (${theme}): ${JSON.stringify(violations, null, 2)}`).toEqual([]);
      await page.close();
    });
  });

  it.each(THEMES)(
    "shows a real scan's live progress bar (endpoints done of total) on the overview's sources table (%s theme)",
    async theme => {
      const tarpit = await startTarpit(SLOW_HOST, SLOW_PORTS);
      let stopWatching = () => {};
      let explain = (e: unknown) => e;
      try {
        const page = await openSignedIn(browser(), `${appUrl()}/machine-identities`, theme);
        // What the page saw, for the failure message: signals frames and the bar's done count over time.
        const seen: string[] = [];
        const t0 = Date.now();
        page.on('websocket', ws => {
          seen.push(`+${Date.now() - t0}ms ws open ${ws.url()}`);
          ws.on('framereceived', f => seen.push(`+${Date.now() - t0}ms ws ${String(f.payload).replace(/.*"done":(\d+).*/, 'done=$1').slice(0, 60)}`));
          ws.on('close', () => seen.push(`+${Date.now() - t0}ms ws closed`));
        });
        const poll = setInterval(() => {
          page
            .evaluate(() => document.querySelector('[data-testid="scan-progress"]')?.getAttribute('data-done') ?? '-')
            .then(d => seen.push(`+${Date.now() - t0}ms bar ${d}`), () => undefined);
        }, 1000);
        stopWatching = () => clearInterval(poll);
        explain = (e: unknown) => new Error(`${String(e)}\n${seen.join('\n')}`);
        await page.getByTestId('machine-identity-overview').waitFor({ timeout: 60_000 });
        await page.getByText('e2e-slow-tls').first().waitFor({ timeout: 60_000 });
        expect(await page.getByTestId('scan-progress').count()).toBe(0);
        // The page is already open: the bar has to come from the running scan, not from a reload.
        const { scanId } = await asUser<{ scanId: string }>('user:default/erin', '/sources/e2e-slow-tls/scan', {
          method: 'POST',
        });
        const bar = page.getByTestId('scan-progress');
        await bar.waitFor({ timeout: 30_000 });
        // At its start a run may not know its total yet (an indeterminate bar); then the scanner's 5 endpoints.
        await page.locator(`[data-testid="scan-progress"][data-total="${SLOW_PORTS.length}"]`).waitFor({ timeout: 30_000 });
        const firstDone = Number(await bar.getAttribute('data-done'));
        expect(firstDone).toBeLessThan(SLOW_PORTS.length);
        await page
          .getByRole('progressbar', { name: new RegExp(`^Scan of e2e-slow-tls: \\d of ${SLOW_PORTS.length} done$`) })
          .waitFor({ timeout: 10_000 });
        // It moves while the scan runs (pushed, the page is not reloaded)…
        await page.waitForFunction(
          n => Number(document.querySelector('[data-testid="scan-progress"]')?.getAttribute('data-done') ?? -1) > n,
          firstDone,
          { timeout: 30_000 },
        );
        // …is seen by axe-core and the screenshot while it is there (the sources table only: quicker)…
        saved.push(await snap(page, `app-next/${theme}/overview-scan-progress`));
        const violations = await seriousViolations(page, '[data-testid="scan-sources"]');
        expect(violations, `scan progress (${theme}): ${JSON.stringify(violations, null, 2)}`).toEqual([]);
        // …and goes when the run ends.
        await bar.waitFor({ state: 'detached', timeout: 60_000 });
        const run = await asUser<{ status: string; progress?: { done: number; total?: number } }>(
          'user:default/erin',
          `/scans/${scanId}`,
        );
        expect(run.status).not.toBe('running');
        await page.close();
      } catch (e) {
        throw explain(e);
      } finally {
        stopWatching();
        await tarpit.close();
      }
    },
  );

  it('reaches the overview page from the sidebar item', async () => {
    const page = await openSignedIn(browser(), `${appUrl()}/catalog`);
    await page.locator('nav[aria-label="sidebar nav"]').getByText('Machine identities').first().click();
    await page.waitForURL(/\/machine-identities$/);
    await page.getByTestId('machine-identity-overview').waitFor({ timeout: 60_000 });
    await page.close();
  });

  it('signs in as two different demo users, each in their own tab, through the demo sign-in page', async () => {
    const url = `${appUrl()}/catalog/default/component/payments-api/machine-identities`;
    const signedIn = async (name: string) => {
      const page = await browser().newPage({ viewport: { width: 1440, height: 1100 } });
      await page.goto(url);
      const list = page.getByTestId('demo-user-list');
      await list.waitFor({ timeout: 60_000 });
      // The picker lists the configured demo users (app-config.yaml keyring.demo.users).
      expect(await list.getByRole('button').count()).toBe(7);
      const refreshed = page.waitForResponse(r => r.url().includes('/api/auth/demo/refresh') && r.ok());
      await page.getByRole('button', { name: `Sign in as ${name}` }).click();
      const response = await refreshed;
      expect(response.request().headers()['x-keyring-demo-user']).toBe(`user:default/${name}`);
      const body = await response.json();
      await page.locator('nav[aria-label="sidebar nav"]').first().waitFor({ state: 'attached', timeout: 60_000 });
      await tableRows(page, 'api.payments.example.test');
      return { page, identity: body.backstageIdentity.identity };
    };
    const bob = await signedIn('bob');
    const erin = await signedIn('erin');
    expect(bob.identity.userEntityRef).toBe('user:default/bob');
    expect(bob.identity.ownershipEntityRefs).toContain('group:default/payments');
    expect(erin.identity.userEntityRef).toBe('user:default/erin');
    expect(erin.identity.ownershipEntityRefs).toContain('group:default/security');
    // The choice is kept for the tab: a reload signs bob in again without the picker.
    const again = bob.page.waitForResponse(r => r.url().includes('/api/auth/demo/refresh'));
    await bob.page.reload();
    expect((await (await again).json()).backstageIdentity.identity.userEntityRef).toBe('user:default/bob');
    await bob.page.getByTestId('machine-identity-table').waitFor({ timeout: 60_000 });
    await bob.page.close();
    await erin.page.close();
  });

  it('works from the keyboard: Tab through the table, Enter opens a row, Escape closes it and focus returns', async () => {
    const page = await openSignedIn(browser(), `${appUrl()}/catalog/default/component/payments-api/machine-identities`);
    await tableRows(page, 'api.payments.example.test');
    /** The row id of the focused identity name button, if the focus is on one. */
    const focusedRow = (p: Page) =>
      p.evaluate(() => {
        const el = document.activeElement;
        if (!el?.matches('[data-testid="machine-identity-name"]')) return undefined;
        return el.closest('[data-testid="machine-identity-row"]')?.getAttribute('data-identity-id') ?? undefined;
      });
    const tabToNextName = async () => {
      for (let i = 0; i < 150; i++) {
        await page.keyboard.press('Tab');
        const row = await focusedRow(page);
        if (row) return row;
      }
      throw new Error('Tab never reached an identity name in the table');
    };
    const first = await tabToNextName();
    const second = await tabToNextName();
    expect(second).not.toBe(first);
    const rowIds = await page.getByTestId('machine-identity-row').evaluateAll(rows =>
      rows.map(r => r.getAttribute('data-identity-id')),
    );
    expect(rowIds.indexOf(second)).toBe(rowIds.indexOf(first) + 1);

    await page.keyboard.press('Enter');
    const drawer = page.getByTestId('machine-identity-drawer');
    await drawer.waitFor({ timeout: 30_000 });
    const name = await page
      .locator(`[data-testid="machine-identity-row"][data-identity-id="${second}"] [data-testid="machine-identity-name"]`)
      .innerText();
    await drawer.getByText(name.split('\n')[0].trim()).first().waitFor({ timeout: 30_000 });
    // The drawer (a modal) holds the focus while open.
    const focusInDrawer = await page.evaluate(() => {
      const paper = document.querySelector('[data-testid="machine-identity-drawer"]')?.closest('.MuiDrawer-paper');
      return !!paper && !!document.activeElement && paper.contains(document.activeElement);
    });
    expect(focusInDrawer).toBe(true);

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await focusedRow(page)).toBe(second);
    await page.close();
  });
});
