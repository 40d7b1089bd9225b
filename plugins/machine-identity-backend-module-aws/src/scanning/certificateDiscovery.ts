import {
  certificateAttributes,
  parseCertificate,
  readCertificateBlocks,
  type MachineIdentityDiscovery,
} from '@keyring/plugin-machine-identity-node';

/**
 * A PEM certificate held by AWS (IAM server certificate, ACM) as a
 * `tls-certificate` discovery, keyed like the TLS module (SHA-256 of the DER),
 * so a certificate AWS serves on a load balancer is one identity with the
 * endpoint the TLS scanner saw. Throws when the PEM holds no certificate.
 */
export function certificateDiscovery(
  pem: string,
  sighting: Pick<MachineIdentityDiscovery, 'location' | 'details' | 'management' | 'ownerHint' | 'firstSeenEvidence'> & {
    extra: Record<string, string | number | boolean>;
  },
): MachineIdentityDiscovery {
  const block = readCertificateBlocks(Buffer.from(pem, 'utf8')).certificates[0];
  if (!block) throw new Error('no certificate in the PEM body');
  const cert = parseCertificate(block.der);
  const cn = cert.subjectAttributes.find(a => a.name === 'CN')?.value;
  return {
    type: 'tls-certificate',
    fingerprintSha256: cert.fingerprintSha256,
    displayName: cn || cert.dnsNames[0] || cert.subject || `certificate ${cert.fingerprintSha256.slice(0, 16)}`,
    attributes: {
      ...certificateAttributes(cert),
      extra: sighting.extra,
    },
    location: sighting.location,
    details: sighting.details,
    management: sighting.management,
    ownerHint: sighting.ownerHint,
    firstSeenEvidence: sighting.firstSeenEvidence,
    links: cert.dnsNames.length ? { hostnames: cert.dnsNames.map(h => h.toLowerCase()) } : undefined,
  };
}
