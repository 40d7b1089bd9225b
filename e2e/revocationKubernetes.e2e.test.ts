import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { inject } from 'vitest';
import { demoToken, waitForOwnership } from './api';

/*
 * Decommissioning through the real portal, with a Kubernetes credential: the
 * test starts its own cluster (the API emulator, spoken to by the portal's real
 * @kubernetes/client-node) for the `revocation-cluster` source of
 * app-config.e2e.yaml and writes its own Component into a catalog location of
 * that config (read by the real catalog), so
 * the demo estate other tests read stays as it is. ledger-exporter (billing)
 * is decommissioned in the catalog → the token's revocation request appears →
 * a member of another team may not approve it, a billing member does → the
 * Secret is deleted in the emulator → the re-scan no longer sees it → verified.
 */

const COMPONENT = 'component:default/ledger-exporter';
const TOKEN_NAME = 'ledger/ledger-exporter token';

const componentYaml = (lifecycle: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-exporter
  annotations: { backstage.io/kubernetes-id: ledger-exporter }
spec: { type: service, lifecycle: ${lifecycle}, owner: group:default/billing }
`;

/** Calls a portal API as a signed-in demo user; returns status and body. */
async function as(user: string, route: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${inject('backendUrl')}/api${route}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${tokens.get(user) ?? remember(user)}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const tokens = new Map<string, string>();
const remember = (user: string) => {
  tokens.set(user, demoToken(`user:default/${user}`));
  return tokens.get(user)!;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

describe('decommissioning a Component with a Kubernetes token through the real portal', () => {
  let emulator: KubernetesEmulator;
  const catalogFile = () => path.join(inject('dataDir'), 'revocation-catalog', 'ledger-exporter.yaml');

  beforeAll(async () => {
    const clusterToken = randomBytes(24).toString('hex');
    emulator = await KubernetesEmulator.start({ token: clusterToken });
    emulator.add(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ledger', labels: { 'backstage.io/kubernetes-id': 'ledger-exporter' } } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ledger-exporter', namespace: 'ledger' } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/service-account-token',
        metadata: { name: 'ledger-exporter-token', namespace: 'ledger', annotations: { 'kubernetes.io/service-account.name': 'ledger-exporter' } },
        data: { token: randomBytes(48).toString('base64'), namespace: Buffer.from('ledger').toString('base64') },
      },
    );
    const dir = path.join(inject('dataDir'), 'revocation-cluster');
    mkdirSync(dir, { recursive: true });
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'revocation', cluster: { server: emulator.url, 'certificate-authority-data': Buffer.from(emulator.caData).toString('base64') } }],
      users: [{ name: 'keyring', user: { token: clusterToken } }],
      contexts: [{ name: 'revocation', context: { cluster: 'revocation', user: 'keyring' } }],
      'current-context': 'revocation',
    };
    writeFileSync(path.join(dir, 'kubeconfig'), JSON.stringify(kubeconfig), { mode: 0o600 });
    mkdirSync(path.dirname(catalogFile()), { recursive: true });
    writeFileSync(catalogFile(), componentYaml('production'));
  });
  afterAll(() => emulator?.stop());

  it('requests, approves by the owning team, deletes the Secret in the cluster and verifies by re-scan', { timeout: 400_000 }, async () => {
    // the demo organisation (the users who sign in below) is in the catalog once ownership links resolve
    await waitForOwnership();
    // the e2e config's catalog location reads the Component's file; erin (security, an admin) scans the cluster
    await until('ledger-exporter in the catalog', async () =>
      (await as('erin', '/catalog/entities/by-name/component/default/ledger-exporter')).status === 200 ? true : undefined,
    );
    const scan = await as('erin', '/machine-identity/sources/revocation-cluster/scan', { method: 'POST' });
    expect(scan.status).toBe(202);
    const run = await until('the cluster scan', async () => {
      const r = (await as('erin', `/machine-identity/scans/${scan.body.scanId}`)).body;
      return r.status === 'running' ? undefined : r;
    });
    expect(run.status).toBe('succeeded');
    const token = await until('the token linked to ledger-exporter', async () => {
      const page = (await as('erin', `/machine-identity/identities?entityRef=${encodeURIComponent(COMPONENT)}&limit=50`)).body;
      return page.items.find((i: any) => i.displayName === TOKEN_NAME && i.owner === 'group:default/billing');
    });
    expect(token.state).toBe('active');

    // decommissioned in the catalog: the watcher opens the request
    writeFileSync(catalogFile(), componentYaml('decommissioned'));
    const request = await until('the revocation request', async () => {
      const page = (await as('erin', `/machine-identity/revocations?entityRef=${encodeURIComponent(COMPONENT)}`)).body;
      return page.items.find((r: any) => r.identityId === token.id);
    });
    expect(request).toMatchObject({ state: 'requested', trigger: 'decommissioned', owner: 'group:default/billing' });

    // frank (payments) neither sees nor decides billing's request; dave (billing) approves it
    expect((await as('frank', `/machine-identity/revocations/${request.id}`)).status).toBe(404);
    expect((await as('frank', `/machine-identity/revocations/${request.id}/approve`, { method: 'POST', body: {} })).status).toBe(404);
    const approved = await as('dave', `/machine-identity/revocations/${request.id}/approve`, { method: 'POST', body: { comment: 'ledger-exporter is retired' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'user:default/dave' });

    const done = await until('verification', async () => {
      const r = (await as('dave', `/machine-identity/revocations/${request.id}`)).body;
      return ['verified', 'failed', 'manual'].includes(r.state) ? r : undefined;
    });
    expect(done).toMatchObject({ state: 'verified', revokerId: 'kubernetes-secrets' });
    expect(emulator.requests.filter(r => r.method === 'DELETE').map(r => `${r.path} ${r.status}`)).toEqual(['/api/v1/namespaces/ledger/secrets/ledger-exporter-token 200']);
    expect(emulator.store.get(KubernetesEmulator.resource('secrets'), 'ledger/ledger-exporter-token')).toBeUndefined();
    expect((await as('dave', `/machine-identity/identities/${token.id}`)).body.state).toBe('gone');
  });
});
