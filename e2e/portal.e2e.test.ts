import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { api, E2E_TOKEN, waitForOwnership } from './api';
import { openSignedIn, snap, useBrowser } from './browser';

const run = promisify(execFile);

describe('the running portal', () => {
  const browser = useBrowser(waitForOwnership);

  it('scans the demo estate and links its certificates to their services', async () => {
    const page = await api('/identities?entityRef=component:default/payments-api&limit=100');
    const names = page.items.map((i: any) => i.displayName);
    expect(names).toContain('api.payments.example.test');
    const summary = await api('/summary');
    expect(summary.total).toBeGreaterThanOrEqual(6);
    expect(summary.byType['tls-certificate']).toBeGreaterThanOrEqual(6);
    expect(summary.byType['ssh-key']).toBeGreaterThanOrEqual(4);
  });

  it('passes the shared API contract check', async () => {
    const script = path.resolve(__dirname, '../../shared/checks/api-contract');
    const { stdout } = await run('bash', [script, `${inject('backendUrl')}/api`, E2E_TOKEN]);
    expect(stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('shows the demo catalog in a real browser', async () => {
    const page = await openSignedIn(browser(), `${inject('appUrl')}/catalog`);
    await page.getByText('payments-api').first().waitFor({ timeout: 60_000 });
    await snap(page, 'catalog');
    await page.close();
  });
});
