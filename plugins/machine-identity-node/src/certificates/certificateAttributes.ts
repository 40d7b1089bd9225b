import type { IdentityAttributes } from '@keyring/plugin-machine-identity-common';
import type { ParsedCertificate } from './parseCertificate';

/**
 * The identity attributes every scanner records for a certificate, whatever
 * holds it (a TLS endpoint, a file, a Kubernetes Secret, AWS). Scanners add
 * what only they know (chain trust, source-specific `extra`).
 */
export function certificateAttributes(cert: ParsedCertificate): IdentityAttributes {
  return {
    subject: cert.subject,
    // A copy: a parsed certificate may be shared through a scanner's cache.
    sans: [...cert.sans],
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyAlgorithm: cert.keyAlgorithm,
    keySize: cert.keySize,
    curve: cert.curve,
    signatureAlgorithm: cert.signatureAlgorithm,
    isCa: cert.isCa,
    selfSigned: cert.selfSigned,
  };
}
