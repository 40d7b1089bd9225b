import { createHash, type X509Certificate } from 'node:crypto';
import { parseCertificate, ParsedCertificate, parseX509Certificate } from './parseCertificate';

/** Options of {@link CertificateCache}. */
export interface CertificateCacheOptions {
  /**
   * Most certificates kept; the least recently used is dropped beyond it (default 10,000). An entry
   * holds Node's (OpenSSL 3's) decoded certificate and costs about 15 KB of memory (measured), so
   * the default keeps under ~150 MB: every intermediate and root an estate presents, and the
   * leaves of a re-scan of up to that many endpoints.
   */
  maxEntries?: number;
  /** The parser called on a miss (default {@link parseCertificate}). */
  parse?: (der: Buffer) => ParsedCertificate;
}

/** Counters of a {@link CertificateCache}. */
export interface CertificateCacheStats {
  hits: number;
  misses: number;
  size: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;

type Entry = { cert: ParsedCertificate } | { error: unknown };

/**
 * Parsed certificates keyed by the SHA-256 of their DER encoding, least
 * recently used dropped first. Intermediates and roots repeat on nearly every
 * endpoint of a scan and re-scans see the same leaves, so each distinct DER is
 * parsed once; a DER the parser refused is remembered and refused again with
 * the same error. Entries hold only public certificate data.
 */
export class CertificateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly parser: (der: Buffer) => ParsedCertificate;
  private readonly customParser: boolean;
  private hits = 0;
  private misses = 0;

  constructor(options: CertificateCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.parser = options.parse ?? parseCertificate;
    this.customParser = options.parse !== undefined;
  }

  /** The parsed certificate for `der`, parsing only on a miss. Throws what the parser throws. */
  parse(der: Buffer): ParsedCertificate {
    return this.lookup(createHash('sha256').update(der).digest('hex'), () => this.parser(der));
  }

  /**
   * The parsed certificate for a certificate Node has already decoded (a handshake's
   * `getPeerX509Certificate()`), keyed like {@link CertificateCache.parse} by the SHA-256 of
   * its DER (Node's `fingerprint256`), so either call hits what the other parsed. A miss is
   * parsed from `cert` itself ({@link parseX509Certificate}), or from `cert.raw` by a
   * configured `parse`.
   */
  parseX509(cert: X509Certificate): ParsedCertificate {
    const key = cert.fingerprint256.replace(/:/g, '').toLowerCase();
    return this.lookup(key, () => (this.customParser ? this.parser(cert.raw) : parseX509Certificate(cert)));
  }

  private lookup(key: string, parseMiss: () => ParsedCertificate): ParsedCertificate {
    let entry = this.entries.get(key);
    if (entry) {
      this.hits++;
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      this.misses++;
      try {
        entry = { cert: parseMiss() };
      } catch (error) {
        entry = { error };
      }
      this.entries.set(key, entry);
      if (this.entries.size > this.maxEntries) {
        this.entries.delete(this.entries.keys().next().value!);
      }
    }
    if ('error' in entry) throw entry.error;
    return entry.cert;
  }

  get stats(): CertificateCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }
}
