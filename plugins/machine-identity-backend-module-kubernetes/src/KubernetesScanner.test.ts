import { createHash } from 'node:crypto';
import { emulatorSource, scanCluster, testFingerprint, type ClusterScanResult } from './__testUtils__/scanCluster';
import { startFixtureCluster, type FixtureCluster } from './__testUtils__/fixtureCluster';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

describe('KubernetesScanner against the emulated cluster (real @kubernetes/client-node over HTTPS)', () => {
  let fixture: FixtureCluster;
  let scan: ClusterScanResult;
  const at = (location: string) => scan.discoveries.filter(d => d.location === location);

  beforeAll(async () => {
    fixture = await startFixtureCluster();
    scan = await scanCluster(emulatorSource(fixture.emulator));
  });
  afterAll(async () => {
    await fixture?.emulator.stop();
  });

  it('finishes without an incomplete problem, authenticating with the bearer token and trusting caData', () => {
    expect(scan.error).toBeUndefined();
    expect(scan.problems.filter(p => p.incomplete !== false)).toEqual([]);
    expect(fixture.emulator.requests.every(r => r.status !== 401)).toBe(true);
  });

  it('reads the certificates of a kubernetes.io/tls Secret, cert-manager managed, with its renewal time', () => {
    const [leaf, chainCa] = [...at('test/payments/Secret/api-tls/tls.crt#0'), ...at('test/payments/Secret/api-tls/tls.crt#1')];
    expect(leaf).toMatchObject({
      type: 'tls-certificate',
      fingerprintSha256: sha256(fixture.apiCert.der),
      displayName: 'api.payments.example.test',
      management: 'automated',
      attributes: {
        rotation: { enabled: true, lastRotatedAt: '2026-11-01T00:00:00.000Z' },
        extra: { certManagerCertificate: 'payments/api-cert', renewalTime: '2026-12-31T00:00:00.000Z', issuerRef: 'ClusterIssuer/letsencrypt' },
      },
      links: { kubernetesIds: ['payments-api'], hostnames: ['api.payments.example.test'] },
      details: { namespace: 'payments', name: 'api-tls', key: 'tls.crt', secretType: 'kubernetes.io/tls', privateKeyPresent: true },
    });
    // The CA behind it in the same value, and in ca.crt, is one identity not managed by that Certificate.
    expect(chainCa.fingerprintSha256).toBe(sha256(fixture.ca.der));
    expect(chainCa.management).toBeUndefined();
    expect(at('test/payments/Secret/api-tls/ca.crt')[0].fingerprintSha256).toBe(sha256(fixture.ca.der));
    // The namespace's ownership label is the workload's, not the shared CA's.
    expect(at('test/payments/Secret/api-tls/ca.crt')[0].links).toBeUndefined();
    // Private keys are never read: nothing is discovered at tls.key.
    expect(scan.discoveries.some(d => d.location.endsWith('/tls.key'))).toBe(false);
  });

  it('reads PKCS#12 keystores and DER values, with ownership from the Secret label', () => {
    const p12 = scan.discoveries.filter(d => d.location.startsWith('test/platform/Secret/kafka-keystore/keystore.p12'));
    expect(p12.map(d => d.fingerprintSha256).sort()).toEqual([sha256(fixture.keystoreCert.der), sha256(fixture.ca.der)].sort());
    expect(at('test/platform/Secret/kafka-keystore/client.der')[0]).toMatchObject({
      fingerprintSha256: sha256(fixture.keystoreCert.der),
      links: { kubernetesIds: ['kafka-gateway'] },
    });
  });

  it('fingerprints service-account and other tokens with the HMAC only', () => {
    expect(at('test/platform/Secret/ci-deployer-token/token')[0]).toMatchObject({
      type: 'api-token',
      fingerprintSha256: testFingerprint(fixture.secrets.saToken),
      displayName: 'platform/ci-deployer token',
      attributes: { storage: 'kubernetes-secret', notAfter: undefined, lastUsedAt: '2026-04-12T00:00:00.000Z', extra: { serviceAccount: 'ci-deployer', format: 'jwt' } },
    });
    expect(at('test/platform/Secret/billing-api/stripe.token')[0]).toMatchObject({
      type: 'api-token',
      fingerprintSha256: testFingerprint(fixture.secrets.apiToken),
      attributes: { extra: { format: 'opaque' } },
    });
  });

  it('reads kubeconfig Secrets: the cluster CA, the client certificate and the user token, never the client key', () => {
    const kubeconfig = scan.discoveries.filter(d => d.location.startsWith('test/platform/Secret/deploy-kubeconfig/kubeconfig'));
    expect(kubeconfig.map(d => [d.location, d.type, d.fingerprintSha256]).sort()).toEqual(
      [
        ['test/platform/Secret/deploy-kubeconfig/kubeconfig#cluster=prod', 'tls-certificate', sha256(fixture.ca.der)],
        ['test/platform/Secret/deploy-kubeconfig/kubeconfig#user=admin', 'tls-certificate', sha256(fixture.clientCert.der)],
        ['test/platform/Secret/deploy-kubeconfig/kubeconfig#user=deployer', 'api-token', testFingerprint(fixture.secrets.kubeconfigToken)],
      ].sort(),
    );
    const token = kubeconfig.find(d => d.type === 'api-token')!;
    expect(token.attributes).toMatchObject({ notBefore: '2025-11-24T16:00:00.000Z', notAfter: '2026-11-30T00:53:20.000Z' });
  });

  it('resolves RBAC: cluster-admin and wildcard verbs make a service account privileged, with the reason', () => {
    const sa = (ns: string, name: string) => at(`test/${ns}/ServiceAccount/${name}`)[0];
    expect(sa('platform', 'ci-deployer')).toMatchObject({
      type: 'service-account',
      displayName: 'platform/ci-deployer',
      attributes: {
        privileged: true,
        admin: true,
        privilegedReason: 'ClusterRole cluster-admin cluster-wide through ClusterRoleBinding/ci-deployer-admin',
        scopes: ['ClusterRole/cluster-admin via ClusterRoleBinding/ci-deployer-admin'],
        staticKeys: 1,
      },
    });
    expect(sa('platform', 'ops-robot').attributes).toMatchObject({
      privileged: true,
      privilegedReason: 'ClusterRole ops-everything allows every verb (*) on deployments, statefulsets in namespace platform through RoleBinding/platform/ops',
      staticKeys: 0,
    });
    expect(sa('payments', 'payments-api')).toMatchObject({
      attributes: { privileged: false, scopes: ['Role/reader via RoleBinding/payments/payments-reader'] },
      links: { kubernetesIds: ['payments-api'] },
    });
  });

  it('reads caBundles of webhooks, APIServices and CRD conversion webhooks', () => {
    expect(at('test/-/ValidatingWebhookConfiguration/policy-webhook/validate.policy.example.test')[0].fingerprintSha256).toBe(sha256(fixture.webhookCa.der));
    expect(scan.discoveries.filter(d => d.location.startsWith('test/-/MutatingWebhookConfiguration/sidecar-injector/')).map(d => [d.location, d.fingerprintSha256])).toEqual([
      ['test/-/MutatingWebhookConfiguration/sidecar-injector/inject.mesh.example.test#0', sha256(fixture.ca.der)],
      ['test/-/MutatingWebhookConfiguration/sidecar-injector/inject.mesh.example.test#1', sha256(fixture.webhookCa.der)],
    ]);
    expect(at('test/-/CustomResourceDefinition/widgets.example.test/conversion')[0]).toMatchObject({
      fingerprintSha256: sha256(fixture.webhookCa.der),
      attributes: { extra: { trustedBy: 'CustomResourceDefinition/widgets.example.test' } },
    });
    expect(at('test/-/APIService/v1beta1.metrics.k8s.io/caBundle')[0].fingerprintSha256).toBe(sha256(fixture.ca.der));
  });

  it('applies the published cert-manager fixture Certificate to its Secret, and reads the schema-complete fixtures without failing', () => {
    expect(at('test/default/Secret/test1/tls.crt')[0]).toMatchObject({ management: 'automated', attributes: { extra: { certManagerCertificate: 'default/test1', issuerRef: 'Issuer/selfsigned-issuer' } } });
    // core.v1.Secret.json holds junk (`Ag==` under dataKey): nothing to inventory, nothing malformed.
    expect(scan.discoveries.filter(d => d.location.startsWith('test/namespaceValue/Secret/'))).toEqual([]);
    expect(at('test/namespaceValue/ServiceAccount/nameValue')).toHaveLength(1);
  });

  it('reports malformed objects, skips them, and covers only the well-formed objects of their namespace', () => {
    expect(scan.problems).toEqual(
      expect.arrayContaining([
        { location: 'test/zz-malformed/Secret/mysecretname', message: 'Skipped a malformed Secret: metadata.annotations is not a map of strings', incomplete: false },
        { location: 'test/zz-malformed/Secret/secret-tls', message: 'Skipped a malformed Secret: data.tls.crt is not base64', incomplete: false },
      ]),
    );
    expect(scan.discoveries.filter(d => d.location.startsWith('test/zz-malformed/'))).toEqual([]);
    expect(scan.covered).toContain('test/payments/Secret/');
    expect(scan.covered).toContain('test/zz-malformed/Secret/secret-sa-sample/');
    expect(scan.covered).not.toContain('test/zz-malformed/Secret/');
    expect(scan.covered).toEqual(expect.arrayContaining(['test/platform/ServiceAccount/', 'test/-/ValidatingWebhookConfiguration/', 'test/-/APIService/']));
  });

  it('never lets a token or private key value out of the scanner', () => {
    const out = JSON.stringify([scan.discoveries, scan.problems, scan.logs]);
    const { saToken, apiToken, kubeconfigToken, privateKeys } = fixture.secrets;
    for (const value of [saToken, apiToken, kubeconfigToken, ...privateKeys.map(k => k.split('\n')[1])]) {
      expect(out).not.toContain(value);
      expect(out).not.toContain(Buffer.from(value).toString('base64').slice(0, 40));
    }
  });
});
