import type { IdentityAttributes, Management } from '@keyring/plugin-machine-identity-common';
import { readCertificateBlocks, type IdentityLinks, type MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import type { CertificateFacts, CertificateFactsCache } from './certificateFacts';

/** Where in the cluster a certificate was found, and what the cluster says about it. */
export interface CertificatePlace {
  /** `cluster/namespace/kind/name/key`; `#n` is appended when the value holds several certificates. */
  location: string;
  details: Record<string, unknown>;
  /** Facts kept on the identity (cluster, namespace, cert-manager Certificate…). */
  extra: Record<string, string | number | boolean>;
  links?: IdentityLinks;
  management?: Management;
  rotation?: IdentityAttributes['rotation'];
}

/** Certificate fields copied into the identity's attributes as they are. */
const CERTIFICATE_FIELDS = [
  'subject',
  'issuer',
  'serialNumber',
  'notBefore',
  'notAfter',
  'keyAlgorithm',
  'keySize',
  'curve',
  'signatureAlgorithm',
  'isCa',
  'selfSigned',
] as const;

function displayNameOf(cert: CertificateFacts): string {
  const cn = cert.subjectAttributes.find(a => a.name === 'CN' && a.value.trim())?.value;
  return cn ?? cert.dnsNames[0] ?? (cert.subject || `certificate ${cert.fingerprintSha256.slice(0, 16)}`);
}

/** A discovery of one certificate found in the cluster. */
export function certificateDiscovery(cert: CertificateFacts, place: CertificatePlace): MachineIdentityDiscovery {
  const attributes: IdentityAttributes = { sans: [...cert.sans], extra: { ...place.extra }, rotation: place.rotation };
  for (const field of CERTIFICATE_FIELDS) (attributes as Record<string, unknown>)[field] = cert[field];
  const hostnames = [...new Set(cert.dnsNames.map(d => d.toLowerCase()))];
  const links: IdentityLinks = { ...place.links, ...(hostnames.length > 0 ? { hostnames } : {}) };
  return {
    type: 'tls-certificate',
    fingerprintSha256: cert.fingerprintSha256,
    displayName: displayNameOf(cert),
    attributes,
    location: place.location,
    details: place.details,
    management: place.management,
    links: Object.keys(links).length > 0 ? links : undefined,
  };
}

/** Whether a value is worth reading for certificates: PEM text, or a binary store under a certificate-like key. */
export function mayHoldCertificates(key: string, value: Buffer, secretType: string | undefined): boolean {
  if (value.includes('-----BEGIN ')) return true;
  if (value.length === 0 || value[0] !== 0x30) return false;
  return /\.(crt|cer|der|pem|p12|pfx|p7b|p7c)$/i.test(key) || /^(keystore|truststore)/i.test(key) || (secretType === 'kubernetes.io/tls' && key === 'tls.crt');
}

/**
 * The certificates a Secret value (or caBundle) holds: PEM blocks, DER, PKCS#7
 * or PKCS#12 (opened with each of `passwords`, the empty one first). Private
 * key blocks and key bags are never read. Throws what the parser throws for
 * a value that holds no readable certificate.
 */
export function readCertificates(value: Buffer, cache: CertificateFactsCache, passwords: string[] = []): CertificateFacts[] {
  let lastError: unknown;
  for (const password of ['', ...passwords]) {
    try {
      const contents = readCertificateBlocks(value, { pkcs12Password: password });
      return contents.certificates.map(block => cache.parse(block.der));
    } catch (error) {
      lastError = error;
      if (!/pkcs12Password/.test((error as Error).message)) break;
    }
  }
  throw lastError;
}
