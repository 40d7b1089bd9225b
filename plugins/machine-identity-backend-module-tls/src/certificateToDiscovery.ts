import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { certificateAttributes, type ParsedCertificate } from '@keyring/plugin-machine-identity-node';

/** Where and how a certificate was seen. */
export interface CertificateSighting {
  location: string;
  details?: Record<string, unknown>;
  /** Hostnames the certificate was reached by (scanned host, SNI), added to its DNS SANs. */
  hostnames?: string[];
  chainTrusted?: boolean;
  publiclyTrusted?: boolean;
  /** Fingerprints of the certificates above this one in its chain, issuer first. */
  chain?: string[];
  firstSeenEvidence?: string;
}

/** The name people know a certificate by: its CN, else its first SAN, else its subject. */
export function certificateDisplayName(cert: ParsedCertificate): string {
  const cn = cert.subjectAttributes.find(a => a.name === 'CN' && a.value.trim());
  if (cn) return cn.value;
  if (cert.sans.length > 0) return cert.sans[0].replace(/^[^:]+:/, '');
  if (cert.subject) return cert.subject;
  return `certificate ${cert.fingerprintSha256.slice(0, 16)}`;
}

/** Turns a parsed certificate and where it was seen into a discovery. */
export function certificateToDiscovery(cert: ParsedCertificate, sighting: CertificateSighting): MachineIdentityDiscovery {
  const hostnames = [...new Set([...cert.dnsNames, ...(sighting.hostnames ?? [])].map(h => h.toLowerCase()))];
  return {
    type: 'tls-certificate',
    fingerprintSha256: cert.fingerprintSha256,
    displayName: certificateDisplayName(cert),
    attributes: {
      ...certificateAttributes(cert),
      chainTrusted: sighting.chainTrusted,
      publiclyTrusted: sighting.publiclyTrusted,
      chain: sighting.chain,
    },
    location: sighting.location,
    details: sighting.details,
    firstSeenEvidence: sighting.firstSeenEvidence,
    links: hostnames.length > 0 ? { hostnames } : undefined,
  };
}
