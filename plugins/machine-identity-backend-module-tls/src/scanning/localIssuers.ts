import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';

/** Issuer names whose lookup keys are remembered (the memo is emptied when full). */
const MAX_REMEMBERED_NAMES = 4096;

/**
 * The certificates of the client context's own store, as OpenSSL looks them up by subject
 * name when Node completes a peer chain (`getPeerCertificate(true)` appends the issuer of
 * the last presented certificate from this store, then its issuer, until a self-issued one).
 *
 * Node 20's default client context holds the bundled Mozilla roots plus the certificates of
 * `NODE_EXTRA_CA_CERTS`. Under `--use-openssl-ca` the store is OpenSSL's system directory,
 * which Node cannot list: {@link LocalIssuers.exact} is then false and callers use Node's
 * own chain walk instead.
 */
export class LocalIssuers {
  private readonly bySubject = new Map<string, X509Certificate[]>();
  /** Issuer names seen, with their keys: a sweep asks about the same few intermediates' issuers. */
  private readonly keys = new Map<string, string>();

  private constructor(
    certificates: X509Certificate[],
    /** Whether this index holds every certificate of the client context's store. */
    readonly exact: boolean,
  ) {
    for (const cert of certificates) {
      const key = nameKey(cert.subject);
      this.bySubject.set(key, [...(this.bySubject.get(key) ?? []), cert]);
    }
  }

  private static shared?: LocalIssuers;

  /** The store of a context made without `ca` (read once per process). */
  static defaultStore(): LocalIssuers {
    if (!LocalIssuers.shared) {
      const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
      const exact = !flags.includes('--use-openssl-ca');
      const certificates: X509Certificate[] = [];
      const add = (pem: Buffer) => {
        for (const block of readCertificateBlocks(pem).certificates) {
          try {
            certificates.push(new X509Certificate(block.der));
          } catch {
            // OpenSSL would not have loaded it either.
          }
        }
      };
      for (const pem of tls.rootCertificates) add(Buffer.from(pem));
      const extra = process.env.NODE_EXTRA_CA_CERTS;
      if (extra) {
        try {
          add(readFileSync(extra));
        } catch {
          // Node warns about an unreadable file at startup and loads nothing from it.
        }
      }
      LocalIssuers.shared = new LocalIssuers(certificates, exact);
    }
    return LocalIssuers.shared;
  }

  private keyOf(name: string): string {
    let key = this.keys.get(name);
    if (key === undefined) {
      key = nameKey(name);
      if (this.keys.size >= MAX_REMEMBERED_NAMES) this.keys.clear();
      this.keys.set(name, key);
    }
    return key;
  }

  /** A store of exactly these certificates (tests). */
  static of(certificates: X509Certificate[]): LocalIssuers {
    return new LocalIssuers(certificates, true);
  }

  /**
   * The issuer OpenSSL's `X509_STORE_CTX_get1_issuer` picks for `cert`: among the store's
   * certificates named as its issuer that issued it, the first currently valid one, else the
   * one expiring last.
   */
  issuerOf(cert: X509Certificate, now = Date.now()): X509Certificate | undefined {
    const candidates = this.bySubject.get(this.keyOf(cert.issuer));
    if (!candidates) return undefined;
    let best: X509Certificate | undefined;
    for (const candidate of candidates) {
      if (!cert.checkIssued(candidate)) continue;
      if (Date.parse(candidate.validFrom) <= now && now <= Date.parse(candidate.validTo)) return candidate;
      if (!best || Date.parse(candidate.validTo) > Date.parse(best.validTo)) best = candidate;
    }
    return best;
  }
}

/**
 * A loose key for names (OpenSSL compares canonical encodings, which fold case and
 * white space); `checkIssued` decides, this only narrows the candidates.
 */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').trim();
}
