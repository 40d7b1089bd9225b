import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addSecretFleet, KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { emulatorSource, scanCluster, type ClusterScanResult } from './__testUtils__/scanCluster';

const secretLocations = (scan: ClusterScanResult) => scan.discoveries.filter(d => d.location.includes('/Secret/')).map(d => d.location);
const secretCoverage = (scan: ClusterScanResult) => scan.covered.filter(s => s.includes('/Secret/'));

describe('KubernetesScanner paging and failures (1,200 Secrets in 12 namespaces)', () => {
  let emulator: KubernetesEmulator;
  let baseline: ClusterScanResult;
  const secretRequests = () => emulator.requests.filter(r => r.path.endsWith('/secrets'));

  beforeAll(async () => {
    emulator = await KubernetesEmulator.start({ token: 'paging-token' });
    addSecretFleet(emulator, { secrets: 1200, perNamespace: 100 });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator.clearFaults();
    emulator.requests.length = 0;
  });

  it('lists 500 per page with continue tokens and reads every Secret once', async () => {
    baseline = await scanCluster(emulatorSource(emulator));
    expect(baseline.error).toBeUndefined();
    expect(baseline.problems).toEqual([]);
    expect(secretRequests().map(r => [r.query.limit, r.query.continue ? 'continue' : 'first'])).toEqual([
      ['500', 'first'],
      ['500', 'continue'],
      ['500', 'continue'],
    ]);
    const locations = secretLocations(baseline);
    // 720 TLS Secrets (tls.crt + ca.crt), 120 CA bundles, 240 token Secrets (token + ca.crt).
    expect(locations).toHaveLength(720 * 2 + 120 + 240 * 2);
    expect(new Set(locations).size).toBe(locations.length);
    expect(secretCoverage(baseline).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `test/fleet-${String(n).padStart(5, '0')}/Secret/`));
    expect(baseline.discoveries.filter(d => d.type === 'service-account')).toHaveLength(12);
    // Ownership from the namespace label on every fifth namespace.
    expect(baseline.discoveries.find(d => d.location.startsWith('test/fleet-00005/Secret/'))?.links?.kubernetesIds).toEqual(['fleet-app-00005']);
  });

  it('restarts a list whose continue token expired and still reads every Secret exactly once', async () => {
    emulator.injectFault({ plural: 'secrets', withContinue: true, compact: true });
    const scan = await scanCluster(emulatorSource(emulator));
    expect(secretRequests().map(r => r.status)).toEqual([200, 410, 200, 200, 200]);
    expect(scan.problems).toEqual([]);
    expect(scan.logs.some(l => l.includes('Continue token expired listing secrets'))).toBe(true);
    expect(secretLocations(scan).sort()).toEqual(secretLocations(baseline).sort());
    expect(secretCoverage(scan)).toHaveLength(12);
  });

  it('makes the run incomplete when continue tokens keep expiring, and covers no Secret', async () => {
    emulator.injectFault({ plural: 'secrets', withContinue: true, compact: true, times: Infinity });
    const scan = await scanCluster(emulatorSource(emulator));
    expect(scan.problems).toEqual([
      { location: 'test/-/secrets', message: 'Listing secrets in all namespaces of test: continue token expired again after restarts', incomplete: true },
    ]);
    expect(secretCoverage(scan)).toEqual([]);
    expect(scan.covered).toContain('test/fleet-00000/ServiceAccount/');
  });

  it('retries a transient 503 and a 429, then completes', async () => {
    emulator.injectFault({ plural: 'secrets', skip: 1, status: 503 });
    emulator.injectFault({ plural: 'serviceaccounts', status: 429 });
    const scan = await scanCluster(emulatorSource(emulator));
    expect(scan.problems).toEqual([]);
    expect(secretRequests().map(r => r.status)).toEqual([200, 503, 200, 200]);
    expect(secretLocations(scan)).toHaveLength(secretLocations(baseline).length);
  });

  it('makes the run incomplete on a persistent 5xx mid-list: what was read is kept, no Secret is covered', async () => {
    emulator.injectFault({ plural: 'secrets', skip: 1, times: Infinity, status: 500 });
    const scan = await scanCluster(emulatorSource(emulator));
    expect(scan.problems).toEqual([
      {
        location: 'test/-/secrets',
        message: 'Listing secrets in all namespaces of test failed after 3 attempts: Internal error occurred: etcdserver: request timed out',
        incomplete: true,
      },
    ]);
    expect(secretLocations(scan).length).toBeGreaterThan(0);
    expect(secretLocations(scan).length).toBeLessThan(secretLocations(baseline).length);
    expect(secretCoverage(scan)).toEqual([]);
  });

  it('fails the run when the API server refuses the token', async () => {
    const scan = await scanCluster(emulatorSource(emulator, { cluster: { name: 'test', url: emulator.url, serviceAccountToken: 'wrong', caData: emulator.caData } }));
    expect(scan.error?.name).toBe('NotAllowedError');
    expect(scan.error?.message).toMatch(/refused the credentials/);
  });

  it('scans only the configured namespaces, reached through a kubeconfig file and context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-kubeconfig-'));
    try {
      const path = join(dir, 'kubeconfig');
      writeFileSync(
        path,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'emulated', cluster: { server: emulator.url, 'certificate-authority-data': Buffer.from(emulator.caData).toString('base64') } }],
          users: [{ name: 'scanner', user: { token: 'paging-token' } }],
          contexts: [{ name: 'other', context: { cluster: 'nowhere', user: 'scanner' } }, { name: 'scan', context: { cluster: 'emulated', user: 'scanner' } }],
          'current-context': 'other',
        }),
      );
      const scan = await scanCluster({ id: 'kc', type: 'kubernetes', kubeconfig: { path, context: 'scan' }, namespaces: ['fleet-00003'] });
      expect(scan.error).toBeUndefined();
      expect(scan.problems).toEqual([]);
      expect(new Set(secretLocations(scan).map(l => l.split('/').slice(0, 2).join('/')))).toEqual(new Set(['emulated/fleet-00003']));
      expect(secretRequests().map(r => r.path)).toEqual(['/api/v1/namespaces/fleet-00003/secrets']);
      expect(secretCoverage(scan)).toEqual(['emulated/fleet-00003/Secret/']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats a cluster without cert-manager as having no Certificates', async () => {
    const bare = await KubernetesEmulator.start({ certManager: false });
    try {
      const scan = await scanCluster(emulatorSource(bare));
      expect(scan.error).toBeUndefined();
      expect(scan.problems).toEqual([]);
      expect(scan.logs).toContain('info cert-manager is not installed (certificates.cert-manager.io not served) on cluster test');
    } finally {
      await bare.stop();
    }
  });
});
