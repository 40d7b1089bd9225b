import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { issueCertificate, KubernetesEmulator, loadManifests, pkcs12Store, RESOURCE_TYPES, type TestCertificate } from '@keyring/cloud-emulators/kubernetes';

/** The published fixtures (kubernetes/api, kubernetes/website, cert-manager), read in place. */
export const CORPORA = resolve(__dirname, '../../../../../shared/corpora');
const corpus = (path: string) => readFileSync(resolve(CORPORA, path), 'utf8');

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64');

/** The secret values a fixture cluster holds: none may ever leave the scanner. */
export interface FixtureSecrets {
  saToken: string;
  apiToken: string;
  kubeconfigToken: string;
  privateKeys: string[];
}

/** A fixture cluster: the emulator, its certificates and the secret values to look for. */
export interface FixtureCluster {
  emulator: KubernetesEmulator;
  ca: TestCertificate;
  apiCert: TestCertificate;
  keystoreCert: TestCertificate;
  clientCert: TestCertificate;
  webhookCa: TestCertificate;
  corpusCert: TestCertificate;
  secrets: FixtureSecrets;
}

const jwt = (claims: object) =>
  `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;

/**
 * Starts an emulator holding a small, realistic cluster: a cert-manager
 * certificate, a cluster-admin and a wildcard service account, a PKCS#12
 * keystore, a DER certificate, tokens, a kubeconfig Secret, webhook and
 * APIService caBundles, and the published fixtures (schema-complete objects,
 * malformed examples, cert-manager Certificates).
 */
export async function startFixtureCluster(options: { token?: string } = {}): Promise<FixtureCluster> {
  const emulator = await KubernetesEmulator.start({ token: options.token ?? 'emulator-bearer-token-9f8e7d' });
  const ca = issueCertificate({ commonName: 'Fixture Cluster CA', key: 'ec-p256', ca: true, days: 3650 });
  const apiCert = issueCertificate({ commonName: 'api.payments.example.test', dnsNames: ['api.payments.example.test'], days: 60 }, ca);
  const keystoreCert = issueCertificate({ commonName: 'kafka-client.platform.example.test', key: 'rsa-2048', days: 200 }, ca);
  const clientCert = issueCertificate({ commonName: 'system:admin', days: 365 }, ca);
  const webhookCa = issueCertificate({ commonName: 'Webhook CA', key: 'ed25519', ca: true, days: 1000 });
  const corpusCert = issueCertificate({ commonName: 'example.com', dnsNames: ['example.com'], days: 90 }, ca);
  const secrets: FixtureSecrets = {
    saToken: jwt({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:platform:ci-deployer' }),
    apiToken: 'tok_live_4f6a9c0e2b7d41e8a3c5',
    kubeconfigToken: jwt({ iss: 'https://oidc.example.test', sub: 'deployer', iat: 1_764_000_000, exp: 1_796_000_000 }),
    privateKeys: [apiCert.keyPem, keystoreCert.keyPem, clientCert.keyPem],
  };
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{ name: prod, cluster: { server: 'https://127.0.0.1:6443', certificate-authority-data: ${b64(ca.certPem)} } }]`,
    `users: [{ name: deployer, user: { token: '${secrets.kubeconfigToken}' } }, { name: admin, user: { client-certificate-data: ${b64(clientCert.certPem)}, client-key-data: ${b64(clientCert.keyPem)} } }]`,
    'contexts: [{ name: prod, context: { cluster: prod, user: deployer } }]',
    'current-context: prod',
  ].join('\n');

  const ns = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const secret = (namespace: string, name: string, type: string, data: Record<string, string | Buffer>, metadata: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, ...metadata },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
  emulator.add(
    ns('payments', { 'backstage.io/kubernetes-id': 'payments-api' }),
    ns('platform'),
    ns('default'),
    ns('zz-malformed'),
    secret('payments', 'api-tls', 'kubernetes.io/tls', { 'tls.crt': apiCert.certPem + ca.certPem, 'tls.key': apiCert.keyPem, 'ca.crt': ca.certPem }),
    secret('platform', 'kafka-keystore', 'Opaque', { 'keystore.p12': pkcs12Store(keystoreCert, [ca]), 'client.der': keystoreCert.der }, { labels: { 'backstage.io/kubernetes-id': 'kafka-gateway' } }),
    secret('platform', 'ci-deployer-token', 'kubernetes.io/service-account-token', { token: secrets.saToken, 'ca.crt': ca.certPem, namespace: 'platform' }, {
      labels: { 'kubernetes.io/legacy-token-last-used': '2026-04-12' },
      annotations: { 'kubernetes.io/service-account.name': 'ci-deployer', 'kubernetes.io/service-account.uid': 'b5a3c1d2-0000-4000-8000-000000000001' },
    }),
    secret('platform', 'billing-api', 'Opaque', { 'stripe.token': secrets.apiToken, 'endpoint': 'https://billing.example.test' }),
    secret('platform', 'deploy-kubeconfig', 'Opaque', { kubeconfig }),
    secret('default', 'test1', 'kubernetes.io/tls', { 'tls.crt': corpusCert.certPem, 'tls.key': corpusCert.keyPem }),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci-deployer', namespace: 'platform' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ops-robot', namespace: 'platform' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'payments-api', namespace: 'payments', labels: { 'backstage.io/kubernetes-id': 'payments-api' } } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ops-everything' }, rules: [{ apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['*'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'payments' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ci-deployer-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'platform' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ops', namespace: 'platform' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ops-everything' },
      subjects: [{ kind: 'ServiceAccount', name: 'ops-robot', namespace: 'platform' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'payments-reader', namespace: 'payments' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'payments-api', namespace: 'payments' }],
    },
    {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'api-cert', namespace: 'payments' },
      spec: { secretName: 'api-tls', dnsNames: ['api.payments.example.test'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
      status: { notBefore: '2026-11-01T00:00:00Z', notAfter: '2027-01-30T00:00:00Z', renewalTime: '2026-12-31T00:00:00Z', conditions: [{ type: 'Ready', status: 'True' }] },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'policy-webhook' },
      webhooks: [{ name: 'validate.policy.example.test', clientConfig: { service: { name: 'policy', namespace: 'platform' }, caBundle: b64(webhookCa.certPem) }, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'sidecar-injector' },
      webhooks: [{ name: 'inject.mesh.example.test', clientConfig: { url: 'https://127.0.0.1:9443/inject', caBundle: b64(ca.certPem + webhookCa.certPem) }, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
    },
    {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.test' },
      spec: {
        group: 'example.test', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
        conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'widgets', namespace: 'platform' }, caBundle: b64(webhookCa.certPem) } } },
      },
    },
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', caBundle: b64(ca.certPem), groupPriorityMinimum: 100, versionPriority: 100 } },
  );
  // Published fixtures: cert-manager Certificates, a schema-complete Secret and ServiceAccount, malformed website examples.
  emulator.addManifests(corpus('cert-manager/cert-manager/test-fixtures-cert-manager-resources.yaml'));
  emulator.addManifests(corpus('cert-manager/website/pomerium-certificates.yaml'));
  emulator.add(JSON.parse(corpus('kubernetes-api/testdata/HEAD/core.v1.Secret.json')), JSON.parse(corpus('kubernetes-api/testdata/HEAD/core.v1.ServiceAccount.json')));
  for (const file of ['serviceaccount-mysecretname.yaml', 'tls-auth-secret.yaml', 'serviceaccount-token-secret.yaml']) {
    const { objects } = loadManifests(corpus(`kubernetes-website-examples/${file}`));
    emulator.add(...objects.map(o => ({ ...o, metadata: { ...o.metadata, namespace: 'zz-malformed' } })));
  }
  return { emulator, ca, apiCert, keystoreCert, clientCert, webhookCa, corpusCert, secrets };
}

/** Deletes a namespace and every object in it, as the API server's namespace controller finishes doing; returns how many objects went. */
export function deleteNamespace(emulator: KubernetesEmulator, name: string): number {
  let deleted = 0;
  for (const type of RESOURCE_TYPES.filter(t => t.namespaced)) {
    const { items } = emulator.store.list(type, { start: '', prefix: `${name}/`, limit: Number.MAX_SAFE_INTEGER });
    for (const { key } of items) if (emulator.store.delete(type, key)) deleted += 1;
  }
  if (emulator.store.delete(KubernetesEmulator.resource('namespaces'), name)) deleted += 1;
  return deleted;
}
