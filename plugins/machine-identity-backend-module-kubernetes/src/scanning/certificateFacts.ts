import { CertificateCache, parseCertificate, type ParsedCertificate } from '@keyring/plugin-machine-identity-node';

/** What the scanner keeps of a parsed certificate: everything but Node's certificate object and the DER. */
export type CertificateFacts = Omit<ParsedCertificate, 'node' | 'der'>;

/** Parsed certificate facts by DER, remembered across Secrets and runs. */
export interface CertificateFactsCache {
  /** The facts of `der`, parsing only on a miss; throws what the parser throws. */
  parse(der: Buffer): CertificateFacts;
}

/**
 * A bounded cache of certificate facts. -node's {@link CertificateCache}
 * keeps whole parsed certificates (~15 KB each: OpenSSL's decoded copy); here
 * an entry is only the extracted facts (~1 KB), so a cache large enough for
 * every certificate of a big cluster (default 50,000, ~50 MB) makes re-scans
 * of unchanged Secrets skip parsing, and an LRU cycled by a scan larger than
 * the cache is avoided.
 */
export function createCertificateFactsCache(maxEntries = 50_000): CertificateFactsCache {
  const cache = new CertificateCache({
    maxEntries,
    // The cache's type is ParsedCertificate; entries made here lack `node` and `der`, and are only read as CertificateFacts.
    parse: der => {
      const { node: _node, der: _der, ...facts } = parseCertificate(der);
      return facts as ParsedCertificate;
    },
  });
  return { parse: der => cache.parse(der) };
}
