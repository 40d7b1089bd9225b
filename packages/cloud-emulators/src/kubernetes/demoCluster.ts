import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesEmulator } from './KubernetesEmulator';
import type { KubeObject } from './ObjectStore';
import { issueCertificate, type TestCertificate } from './pki';

/** Everything the demo cluster serves, kept in the demo folder so identities stay stable across restarts. */
export interface DemoClusterMaterial {
  host: string;
  port: number;
  /** The bearer token the portal scans with. */
  token: string;
  server: TestCertificate;
  ca: TestCertificate;
  payments: TestCertificate;
  identity: TestCertificate;
  webhookCa: TestCertificate;
  ciToken: string;
  notBefore: string;
  notAfter: string;
}

const DAY = 86_400_000;
const b64 = (value: string) => Buffer.from(value).toString('base64');
const jwtLike = () => `eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ifQ.${randomBytes(96).toString('base64url')}.${randomBytes(128).toString('base64url')}`;

/** Makes the demo cluster's certificates and tokens (`openssl`), for `host:port`. */
export function createDemoClusterMaterial(host = '127.0.10.20', port = 6443): DemoClusterMaterial {
  const ca = issueCertificate({ commonName: 'Keyring Demo Cluster CA', key: 'ec-p256', ca: true, days: 3650 });
  const server = issueCertificate({ commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes.default.svc'], ipAddresses: [host, '127.0.0.1'], days: 3650 }, ca);
  const now = Date.now();
  return {
    host,
    port,
    token: `demo-${randomBytes(24).toString('hex')}`,
    server,
    ca,
    payments: issueCertificate({ commonName: 'payments-api.payments.svc', dnsNames: ['payments-api.payments.svc', 'payments-api.payments.svc.cluster.local'], days: 90 }, ca),
    identity: issueCertificate({ commonName: 'login.identity.svc', dnsNames: ['login.identity.svc'], key: 'rsa-2048', days: 12 }, ca),
    webhookCa: issueCertificate({ commonName: 'Policy Webhook CA', key: 'ed25519', ca: true, days: 730 }),
    ciToken: jwtLike(),
    notBefore: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
    notAfter: new Date(now + 90 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** The demo cluster's objects: a cert-manager certificate, a cluster-admin service account with a legacy token, a webhook. */
export function demoClusterObjects(m: DemoClusterMaterial): KubeObject[] {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const renewal = new Date(Date.parse(m.notAfter) - 30 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { 'backstage.io/kubernetes-id': 'payments-api' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'identity', labels: { 'backstage.io/kubernetes-id': 'identity-gateway' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'platform' } },
    {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'payments-api', namespace: 'payments' },
      spec: { secretName: 'payments-api-tls', dnsNames: ['payments-api.payments.svc', 'payments-api.payments.svc.cluster.local'], issuerRef: { name: 'demo-ca', kind: 'ClusterIssuer' } },
      status: { notBefore: m.notBefore, notAfter: m.notAfter, renewalTime: renewal, conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] },
    },
    {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'payments-api-tls', namespace: 'payments', annotations: { 'cert-manager.io/certificate-name': 'payments-api', 'cert-manager.io/issuer-name': 'demo-ca', 'cert-manager.io/issuer-kind': 'ClusterIssuer' } },
      type: 'kubernetes.io/tls', data: { 'tls.crt': b64(m.payments.certPem), 'tls.key': b64(m.payments.keyPem), 'ca.crt': b64(m.ca.certPem) },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'login-tls', namespace: 'identity' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(m.identity.certPem), 'tls.key': b64(m.identity.keyPem) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci-deployer', namespace: 'platform' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'svc-identity-gateway', namespace: 'identity' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'svc-payments-api', namespace: 'payments' } },
    {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
      metadata: {
        name: 'ci-deployer-token', namespace: 'platform',
        annotations: { 'kubernetes.io/service-account.name': 'ci-deployer' },
        // What the API server records on a legacy token (1.29+): last used 200 days before the demo was made.
        labels: { 'kubernetes.io/legacy-token-last-used': new Date(Date.parse(m.notBefore) - 200 * DAY).toISOString().slice(0, 10) },
      },
      data: { token: b64(m.ciToken), 'ca.crt': b64(m.ca.certPem), namespace: b64('platform') },
    },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    { apiVersion: rbac, kind: 'Role', metadata: { name: 'config-reader', namespace: 'identity' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }] },
    { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: 'ci-deployer-cluster-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'ci-deployer', namespace: 'platform' }] },
    { apiVersion: rbac, kind: 'RoleBinding', metadata: { name: 'gateway-config', namespace: 'identity' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'svc-identity-gateway', namespace: 'identity' }] },
    {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'policy-webhook' },
      webhooks: [{ name: 'validate.policy.example.test', clientConfig: { service: { name: 'policy', namespace: 'platform' }, caBundle: b64(m.webhookCa.certPem) }, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
    },
  ];
}

/** A kubeconfig for the demo cluster (context `demo`), as an operator would hand to Keyring. */
export function demoKubeconfig(m: DemoClusterMaterial): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'demo', cluster: { server: `https://${m.host}:${m.port}`, 'certificate-authority-data': b64(m.ca.certPem) } }],
      users: [{ name: 'keyring-scanner', user: { token: m.token } }],
      contexts: [{ name: 'demo', context: { cluster: 'demo', user: 'keyring-scanner' } }],
      'current-context': 'demo',
    },
    null,
    2,
  );
}

/**
 * Writes the demo cluster's material (`k8s-cluster.json`) and kubeconfig
 * (`kubeconfig`) into `dir` unless they are there, and returns the material.
 */
export function prepareDemoCluster(dir: string): DemoClusterMaterial {
  const file = join(dir, 'k8s-cluster.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const material = createDemoClusterMaterial(process.env.KEYRING_DEMO_K8S_HOST, process.env.KEYRING_DEMO_K8S_PORT ? Number(process.env.KEYRING_DEMO_K8S_PORT) : undefined);
  writeFileSync(file, JSON.stringify(material, null, 2), { mode: 0o600 });
  writeFileSync(join(dir, 'kubeconfig'), demoKubeconfig(material), { mode: 0o600 });
  return material;
}

/** Starts the demo cluster from its material (HTTPS with the demo CA, bearer token). */
export async function startDemoCluster(material: DemoClusterMaterial): Promise<KubernetesEmulator> {
  const emulator = await KubernetesEmulator.start({ host: material.host, port: material.port, token: material.token, serverCertificate: material.server });
  emulator.add(...demoClusterObjects(material));
  return emulator;
}
