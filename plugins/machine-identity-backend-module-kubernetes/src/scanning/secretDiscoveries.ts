import type { MachineIdentityDiscovery, ScanProblem } from '@keyring/plugin-machine-identity-node';
import { certificateDiscovery, mayHoldCertificates, readCertificates, type CertificatePlace } from './certificateDiscoveries';
import type { CertManagerIndex } from './CertManagerIndex';
import type { CertificateFactsCache } from './certificateFacts';
import { kubeconfigEntries, looksLikeKubeconfig } from './kubeconfigEntries';
import { kubernetesIdOf, kubernetesLinks } from './ownership';
import { tokenDiscovery } from './tokenDiscovery';
import { malformedMetadata, type KubeObjectLike } from './validateObject';

/** A Secret as the client returns it (`V1Secret`). */
export interface SecretLike extends KubeObjectLike {
  type?: string;
  data?: unknown;
}

/** What the Secret mapper needs from the scan. */
export interface SecretScanContext {
  cluster: string;
  certificates: CertificateFactsCache;
  fingerprintSecret(value: Buffer): string;
  /** The `backstage.io/kubernetes-id` label of a namespace. */
  namespaceId(namespace: string): string | undefined;
  certManager: CertManagerIndex;
}

/** What one Secret yielded. */
export interface SecretResult {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  /** The object was malformed and skipped as a whole. */
  malformed: boolean;
  /** For a `kubernetes.io/service-account-token` Secret, the account it belongs to. */
  serviceAccount?: string;
}

const SA_TOKEN = 'kubernetes.io/service-account-token';
/** Keys whose values are never decoded: private keys and passwords. */
const NEVER_READ = /(^|[._-])key$|private-?key|^id_(rsa|dsa|ecdsa|ed25519)$|password|passphrase|secret-?key/i;
const PKCS12_PASSWORD_KEYS = ['password', 'keystore-password', 'keystorePassword', 'truststore-password'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * What the API server records on a legacy service-account token Secret
 * (Kubernetes 1.29+, LegacyServiceAccountTokenTracking / CleanUp): the day
 * it was last used, and since when it is invalidated.
 */
function legacyTokenTracking(labels: Record<string, string> | undefined): { lastUsedAt?: string; extra?: Record<string, string> } {
  const day = (value: string | undefined) => (value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : undefined);
  const lastUsedAt = day(labels?.['kubernetes.io/legacy-token-last-used']);
  const invalidSince = day(labels?.['kubernetes.io/legacy-token-invalid-since']);
  return { lastUsedAt, extra: invalidSince ? { invalidSince } : undefined };
}

function decodeData(data: unknown): { values?: Map<string, Buffer>; error?: string } {
  if (data === undefined || data === null) return { values: new Map() };
  if (typeof data !== 'object' || Array.isArray(data)) return { error: 'data is not a map of base64 values' };
  const values = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) return { error: `data.${key} is not base64` };
    values.set(key, NEVER_READ.test(key) && !PKCS12_PASSWORD_KEYS.includes(key) ? Buffer.alloc(0) : Buffer.from(value, 'base64'));
  }
  return { values };
}

/**
 * The credentials one Secret holds: certificates (PEM, DER, PKCS#7, PKCS#12,
 * kubeconfig CA and client certificates), tokens (`token`, `*.token`, a
 * kubeconfig's user tokens) as HMAC fingerprints. Private keys and passwords
 * are never decoded into discoveries; a malformed Secret is skipped whole
 * with a problem.
 */
export function secretDiscoveries(secret: SecretLike, ctx: SecretScanContext): SecretResult {
  const bad = malformedMetadata(secret, true);
  const decoded = bad ? {} : decodeData(secret.data);
  const name = String(secret.metadata?.name ?? '');
  const namespace = String(secret.metadata?.namespace ?? '');
  const base = `${ctx.cluster}/${namespace}/Secret/${name}`;
  if (bad || !decoded.values) {
    return { discoveries: [], malformed: true, problems: [{ location: base, message: `Skipped a malformed Secret: ${bad ?? decoded.error}`, incomplete: false }] };
  }
  const values = decoded.values;
  const meta = secret.metadata!;
  const secretType = typeof secret.type === 'string' ? secret.type : 'Opaque';
  const annotations = (meta.annotations ?? {}) as Record<string, string>;
  const serviceAccount = secretType === SA_TOKEN ? annotations['kubernetes.io/service-account.name'] : undefined;
  const tracking = secretType === SA_TOKEN ? legacyTokenTracking(meta.labels as Record<string, string> | undefined) : {};
  const { links, via } = kubernetesLinks(kubernetesIdOf(meta.labels), ctx.namespaceId(namespace));
  const managedBy = ctx.certManager.forSecret(namespace, name, annotations);
  const passwords = PKCS12_PASSWORD_KEYS.map(k => values.get(k)?.toString('utf8')).filter((p): p is string => !!p);
  const privateKeyPresent = [...values.keys()].some(k => NEVER_READ.test(k) && !/password|passphrase/i.test(k));
  const discoveries: MachineIdentityDiscovery[] = [];
  const problems: ScanProblem[] = [];
  const details = (key: string, more: Record<string, unknown> = {}) => ({
    cluster: ctx.cluster, namespace, kind: 'Secret', name, key, secretType,
    uid: meta.uid, resourceVersion: meta.resourceVersion, ownershipVia: via, ...more,
  });
  const addCertificates = (key: string, value: Buffer, anchor?: string) => {
    const location = `${base}/${key}${anchor ? `#${anchor}` : ''}`;
    let certs;
    try {
      certs = readCertificates(value, ctx.certificates, passwords);
    } catch (error) {
      problems.push({ location, message: `Cannot read certificates: ${(error as Error).message}`, incomplete: false });
      return;
    }
    for (const [index, cert] of certs.entries()) {
      const leafOfCertificate = managedBy && key === 'tls.crt' && index === 0;
      const place: CertificatePlace = {
        location: certs.length > 1 ? `${location}${anchor ? '/' : '#'}${index}` : location,
        details: details(key, { index, privateKeyPresent, serviceAccount }),
        extra: { cluster: ctx.cluster, ...(leafOfCertificate ? managedBy.extra : {}) },
        // A CA certificate (a Secret's ca.crt, a chain's issuer) serves every namespace that trusts it:
        // the object's ownership label is about the workload, not about the CA.
        links: cert.isCa ? undefined : links,
        management: leafOfCertificate ? 'automated' : undefined,
        rotation: leafOfCertificate ? { enabled: true, lastRotatedAt: managedBy.lastRotatedAt ?? cert.notBefore } : undefined,
      };
      discoveries.push(certificateDiscovery(cert, place));
    }
  };

  for (const [key, value] of values) {
    if (value.length === 0) continue;
    if (key === 'token' || key.endsWith('.token')) {
      const displayName = serviceAccount ? `${namespace}/${serviceAccount} token` : `${namespace}/${name}/${key}`;
      discoveries.push(
        tokenDiscovery(value, v => ctx.fingerprintSecret(v), {
          location: `${base}/${key}`,
          displayName,
          details: details(key, { serviceAccount }),
          extra: { cluster: ctx.cluster, namespace, secret: name, secretType, ...(serviceAccount ? { serviceAccount } : {}), ...tracking.extra },
          links,
          lastUsedAt: tracking.lastUsedAt,
        }),
      );
    } else if (looksLikeKubeconfig(key, value)) {
      let entries;
      try {
        entries = kubeconfigEntries(value.toString('utf8'));
      } catch (error) {
        problems.push({ location: `${base}/${key}`, message: `Cannot read kubeconfig: ${(error as Error).message}`, incomplete: false });
        continue;
      }
      for (const entry of entries) {
        if (entry.kind === 'certificate') addCertificates(key, entry.value, entry.anchor);
        else {
          discoveries.push(
            tokenDiscovery(entry.value, v => ctx.fingerprintSecret(v), {
              location: `${base}/${key}#${entry.anchor}`,
              displayName: `${namespace}/${name} kubeconfig ${entry.anchor}`,
              details: details(key, { kubeconfig: entry.anchor }),
              extra: { cluster: ctx.cluster, namespace, secret: name, secretType, kubeconfig: entry.anchor },
              links,
            }),
          );
        }
      }
    } else if (mayHoldCertificates(key, value, secretType)) {
      addCertificates(key, value);
    }
  }
  return { discoveries, problems, malformed: false, serviceAccount: serviceAccount ? `${namespace}/${serviceAccount}` : undefined };
}
