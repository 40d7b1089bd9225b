import { inject } from 'vitest';
import { api, guestToken, waitForOwnership } from './api';

/** Open violations of the identity named `displayName`, as rule id → severity. */
async function violationsOf(displayName: string) {
  const page = await api(`/identities?q=${encodeURIComponent(displayName)}&limit=20`);
  const identity = page.items.find((i: any) => i.displayName === displayName);
  expect(identity, `${displayName} in the inventory`).toBeDefined();
  const details = await api(`/identities/${encodeURIComponent(identity.id)}`);
  return new Map<string, string>(details.violations.map((v: any) => [v.ruleId, v.severity]));
}

describe('policy verdicts on the demo estate', () => {
  beforeAll(async () => {
    await waitForOwnership();
  });

  it('flags the expired RSA-1024/SHA-1 billing certificate on every count', async () => {
    const v = await violationsOf('billing.example.test');
    expect(v.get('tls.expired')).toBe('error');
    expect(v.get('tls.key-size')).toBe('error');
    expect(v.get('tls.sha1-signature')).toBe('error');
  });

  it('escalates the payments certificate that expires in 5 days to an error', async () => {
    const v = await violationsOf('api.payments.example.test');
    expect(v.get('tls.expiry')).toBe('error');
    expect(v.has('tls.expired')).toBe(false);
  });

  it('flags the certificate from a CA nobody approved, and nothing on the healthy one', async () => {
    expect((await violationsOf('reports.example.test')).has('tls.issuer')).toBe(true);
    const healthy = await violationsOf('login.identity.example.test');
    for (const rule of ['tls.issuer', 'tls.key-size', 'tls.expiry', 'tls.expired', 'tls.sha1-signature']) {
      expect(healthy.has(rule), rule).toBe(false);
    }
  });

  it('flags the weak RSA-2048 SSH key and the key shared across hosts', async () => {
    expect((await violationsOf('billing-batch@legacy')).get('ssh.algorithm')).toBe('error');
    expect((await violationsOf('deploy@payments-ci')).has('ssh.shared')).toBe(true);
  });

  it('sends the owning group one digest notification, not one per certificate', async () => {
    const token = await guestToken(); // the guest is a member of payments
    const deadline = Date.now() + 150_000;
    let digests: any[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${inject('backendUrl')}/api/notifications/notifications?limit=100`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      digests = body.notifications.filter(
        (n: any) => n.payload.topic === 'Machine identities' && /owned by payments need attention/.test(n.payload.title),
      );
      if (digests.length > 0) break;
      await new Promise(r => setTimeout(r, 2000));
    }
    expect(digests).toHaveLength(1);
    expect(digests[0].payload.link).toContain('/machine-identities?owner=group%3Adefault%2Fpayments');
    // The digest runs every few seconds in the e2e config; a later run must not add a second one.
    await new Promise(r => setTimeout(r, 12_000));
    const again = await fetch(`${inject('backendUrl')}/api/notifications/notifications?limit=100`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then(r => r.json());
    expect(
      again.notifications.filter((n: any) => n.payload.topic === 'Machine identities' && /owned by payments need attention/.test(n.payload.title)),
    ).toHaveLength(1);
  });
});
