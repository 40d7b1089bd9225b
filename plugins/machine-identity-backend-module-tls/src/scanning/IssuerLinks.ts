import type { ParsedCertificate } from '@keyring/plugin-machine-identity-node';

/** Whether `issuer` signed `cert`: names as Node (OpenSSL) prints them match, and the signature verifies. */
export function signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (cert.node.issuer !== issuer.node.subject) return false;
  try {
    return cert.node.verify(issuer.node.publicKey);
  } catch {
    return false;
  }
}

/**
 * Remembers which certificate signed which (keyed by both DER fingerprints,
 * least recently used dropped first), so the signature of an intermediate
 * presented by thousands of endpoints is verified once, not once per endpoint
 * and trust store. A signature check of the same two DER encodings always
 * gives the same answer, so entries never go stale.
 */
export class IssuerLinks {
  private readonly verified = new Map<string, boolean>();
  private readonly maxEntries: number;
  /** Signature verifications actually run (misses). */
  verifications = 0;

  constructor(maxEntries = 50_000) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  signedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
    // Names are compared first: most candidate pairs are decided without a signature check.
    if (cert.node.issuer !== issuer.node.subject) return false;
    const key = `${cert.fingerprintSha256}<${issuer.fingerprintSha256}`;
    let ok = this.verified.get(key);
    if (ok === undefined) {
      this.verifications++;
      ok = signedBy(cert, issuer);
      this.verified.set(key, ok);
      if (this.verified.size > this.maxEntries) this.verified.delete(this.verified.keys().next().value!);
    } else {
      this.verified.delete(key);
      this.verified.set(key, ok);
    }
    return ok;
  }
}
