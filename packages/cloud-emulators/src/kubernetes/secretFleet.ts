import { createHmac } from 'node:crypto';
import { FleetCertificates } from './FleetCertificates';
import type { KubernetesEmulator } from './KubernetesEmulator';
import { uidFor, type KubeObject } from './ObjectStore';

/** Options of {@link addSecretFleet}. */
export interface SecretFleetOptions {
  /** Secrets in the fleet (e.g. 50,000). */
  secrets: number;
  /** Secrets per namespace (default 100); namespaces are `fleet-00000`, `fleet-00001`, … */
  perNamespace?: number;
  /** Seed of the token values (default `keyring`). */
  seed?: string;
}

/** What a fleet holds, for checking a scan of it. */
export interface SecretFleetSummary {
  namespaces: number;
  secrets: number;
  /** `kubernetes.io/tls` Secrets (one distinct leaf certificate each, plus the fleet CA as `ca.crt`). */
  tlsSecrets: number;
  /** Opaque Secrets holding a CA bundle under `ca.crt`. */
  caBundleSecrets: number;
  /** `kubernetes.io/service-account-token` Secrets (one distinct token each). */
  tokenSecrets: number;
  /** Opaque Secrets holding no credential Keyring inventories (settings). */
  otherSecrets: number;
  /** The fleet CA (the issuer of every leaf), PEM. */
  caPem: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Kind of Secret number `i` (of every 10: 6 TLS, 1 CA bundle, 2 tokens, 1 settings). */
function kindOf(i: number): 'tls' | 'ca' | 'token' | 'other' {
  const slot = i % 10;
  if (slot < 6) return 'tls';
  if (slot === 6) return 'ca';
  return slot < 9 ? 'token' : 'other';
}

/**
 * Adds a large fleet of Secrets to the emulator, made on demand page by page
 * (no memory is spent until a page is served): namespaces `fleet-NNNNN` (every
 * fifth labelled `backstage.io/kubernetes-id`), each with a `default`
 * ServiceAccount, and Secrets `s-NNNNNNN` of four kinds in a fixed mix. TLS
 * Secrets hold a distinct certificate each (made by {@link FleetCertificates})
 * and the fleet's private key; token Secrets a distinct JWT-shaped token. The
 * same options always give the same fleet.
 */
export function addSecretFleet(emulator: KubernetesEmulator, options: SecretFleetOptions): SecretFleetSummary {
  const perNamespace = options.perNamespace ?? 100;
  const namespaces = Math.ceil(options.secrets / perNamespace);
  const certs = FleetCertificates.get();
  const caPemB64 = b64(certs.ca.certPem);
  const keyPemB64 = b64(certs.leafKeyPem);
  const seed = options.seed ?? 'keyring';
  const created = '2026-06-01T00:00:00Z';
  const nsName = (n: number) => `fleet-${pad(n, 5)}`;

  emulator.addVirtual('namespaces', {
    count: namespaces,
    keyAt: n => nsName(n),
    objectAt: n => ({
      metadata: {
        name: nsName(n),
        uid: uidFor('namespaces', nsName(n)),
        resourceVersion: '900',
        creationTimestamp: created,
        labels: { 'kubernetes.io/metadata.name': nsName(n), ...(n % 5 === 0 ? { 'backstage.io/kubernetes-id': `fleet-app-${pad(n, 5)}` } : {}) },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }),
  });
  emulator.addVirtual('serviceaccounts', {
    count: namespaces,
    keyAt: n => `${nsName(n)}/default`,
    objectAt: n => ({
      metadata: { name: 'default', namespace: nsName(n), uid: uidFor('serviceaccounts', `${nsName(n)}/default`), resourceVersion: '901', creationTimestamp: created },
    }),
  });

  const secretAt = (i: number): KubeObject => {
    const namespace = nsName(Math.floor(i / perNamespace));
    const name = `s-${pad(i, 7)}`;
    const metadata = { name, namespace, uid: uidFor('secrets', `${namespace}/${name}`), resourceVersion: String(1000 + i), creationTimestamp: created };
    switch (kindOf(i)) {
      case 'tls': {
        const pem = certs.certificatePem(i, { ageDays: 30 + (i % 300), expiresInDays: (i % 400) - 20 });
        return { metadata, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(pem), 'tls.key': keyPemB64, 'ca.crt': caPemB64 } };
      }
      case 'ca':
        return { metadata, type: 'Opaque', data: { 'ca.crt': caPemB64, 'service.url': b64(`https://svc-${i}.example.test`) } };
      case 'token': {
        const token = `eyJhbGciOiJSUzI1NiJ9.${createHmac('sha256', seed).update(String(i)).digest('base64url')}.${createHmac('sha256', seed).update(`sig${i}`).digest('base64url')}`;
        return {
          metadata: { ...metadata, annotations: { 'kubernetes.io/service-account.name': 'default', 'kubernetes.io/service-account.uid': uidFor('serviceaccounts', `${namespace}/default`) } },
          type: 'kubernetes.io/service-account-token',
          data: { token: b64(token), 'ca.crt': caPemB64, namespace: b64(namespace) },
        };
      }
      default:
        return { metadata, type: 'Opaque', data: { 'settings.json': b64(JSON.stringify({ replicas: i % 7, region: 'eu-west-1' })) } };
    }
  };
  emulator.addVirtual('secrets', {
    count: options.secrets,
    keyAt: i => `${nsName(Math.floor(i / perNamespace))}/s-${pad(i, 7)}`,
    objectAt: secretAt,
  });

  const counts = { tls: 0, ca: 0, token: 0, other: 0 };
  for (let i = 0; i < options.secrets; i++) counts[kindOf(i)] += 1;
  return {
    namespaces,
    secrets: options.secrets,
    tlsSecrets: counts.tls,
    caBundleSecrets: counts.ca,
    tokenSecrets: counts.token,
    otherSecrets: counts.other,
    caPem: certs.ca.certPem,
  };
}
