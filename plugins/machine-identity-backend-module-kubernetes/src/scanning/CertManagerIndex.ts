import { malformedMetadata } from './validateObject';

/** What cert-manager says about the certificate in one Secret. */
export interface CertManagerManaged {
  /** Facts for the identity: `certManagerCertificate`, `renewalTime`, `issuerRef`. */
  extra: Record<string, string>;
  /** When cert-manager last issued it (`status.notBefore`). */
  lastRotatedAt?: string;
}

interface Entry {
  name: string;
  renewalTime?: string;
  notBefore?: string;
  issuer?: string;
}

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const time = (value: unknown) => {
  const parsed = value instanceof Date ? value : str(value) ? new Date(value as string) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : undefined;
};

/**
 * cert-manager `Certificate` resources by the Secret they write
 * (`spec.secretName`), so the certificate in that Secret is known to be
 * renewed automatically. A Secret cert-manager annotated
 * (`cert-manager.io/certificate-name`) counts too when the Certificates
 * cannot be listed.
 */
export class CertManagerIndex {
  private readonly bySecret = new Map<string, Entry>();

  /** Certificates indexed. */
  get size(): number {
    return this.bySecret.size;
  }

  /** Adds one Certificate object; returns why it was skipped, if it was. */
  add(certificate: { metadata?: any; spec?: any; status?: any }): string | undefined {
    const bad = malformedMetadata(certificate, true);
    if (bad) return bad;
    const secretName = str(certificate.spec?.secretName);
    if (!secretName) return 'spec.secretName is missing';
    const issuerRef = certificate.spec?.issuerRef;
    this.bySecret.set(`${certificate.metadata.namespace}/${secretName}`, {
      name: certificate.metadata.name,
      renewalTime: time(certificate.status?.renewalTime),
      notBefore: time(certificate.status?.notBefore),
      issuer: str(issuerRef?.name) ? `${str(issuerRef.kind) ?? 'Issuer'}/${issuerRef.name}` : undefined,
    });
    return undefined;
  }

  /** Whether cert-manager manages the certificate in Secret `namespace/name`. */
  forSecret(namespace: string, name: string, annotations: Record<string, string>): CertManagerManaged | undefined {
    const entry = this.bySecret.get(`${namespace}/${name}`);
    const annotated = str(annotations['cert-manager.io/certificate-name']);
    if (!entry && !annotated) return undefined;
    const extra: Record<string, string> = { certManagerCertificate: `${namespace}/${entry?.name ?? annotated}` };
    if (entry?.renewalTime) extra.renewalTime = entry.renewalTime;
    const issuer = entry?.issuer ?? (str(annotations['cert-manager.io/issuer-name']) && `${annotations['cert-manager.io/issuer-kind'] ?? 'Issuer'}/${annotations['cert-manager.io/issuer-name']}`);
    if (issuer) extra.issuerRef = issuer;
    return { extra, lastRotatedAt: entry?.notBefore };
  }
}
