import { api, waitForScans } from './api';

/** Waits until ownership resolution has linked `displayName` to `component`. */
async function identity(type: string, displayName: string, component?: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await api(`/identities?type=${type}&limit=200`);
    const found = page.items.find((i: any) => i.displayName === displayName);
    if (found && (!component || found.component === component)) return found;
    if (Date.now() > deadline) throw new Error(`${type} ${displayName} not linked to ${component}: ${JSON.stringify(found)}`);
    await new Promise(r => setTimeout(r, 2000));
  }
}

describe('the demo Kubernetes cluster through the real portal', () => {
  it('scans the demo cluster (API emulator) started by the demo estate', { timeout: 240_000 }, async () => {
    const sources = await waitForScans(180_000);
    expect(sources.find((s: any) => s.id === 'demo-cluster')).toMatchObject({ type: 'kubernetes', lastRun: { status: 'succeeded' } });
  });

  it('shows the cert-manager certificate as automated, owned through the namespace label', { timeout: 240_000 }, async () => {
    const cert = await identity('tls-certificate', 'payments-api.payments.svc', 'component:default/payments-api');
    expect(cert).toMatchObject({ management: 'automated', owner: 'group:default/payments', ownershipRule: 'component-annotation', rotation: { enabled: true } });
    const details = await api(`/identities/${cert.id}`);
    expect(details.observations.map((o: any) => o.location)).toEqual(['demo/payments/Secret/payments-api-tls/tls.crt']);
  });

  it('flags the cluster-admin service account and its never-expiring legacy token', { timeout: 240_000 }, async () => {
    const account = await identity('service-account', 'platform/ci-deployer');
    expect(account).toMatchObject({ privileged: true, staticKeys: 1, privilegedReason: expect.stringContaining('cluster-admin') });
    const token = await identity('api-token', 'platform/ci-deployer token');
    const details = await api(`/identities/${token.id}`);
    expect(details.violations.map((v: any) => v.ruleId)).toContain('token.lifetime');
    expect(token.lastUsedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
