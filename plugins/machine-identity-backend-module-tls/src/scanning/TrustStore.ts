import fs from 'node:fs/promises';
import tls from 'node:tls';
import { InputError } from '@backstage/errors';
import { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';
import { parseCertificate, ParsedCertificate } from '@keyring/plugin-machine-identity-node';
import { IssuerLinks, signedBy } from './IssuerLinks';

const MAX_PATH = 10;

/**
 * A set of trust anchors and the check that a presented chain leads to one of
 * them by valid signatures. Validity dates are not checked here: expiry is a
 * policy finding of its own, not a reason to call an issuer unknown.
 */
export class TrustStore {
  private readonly bySubject = new Map<string, ParsedCertificate[]>();
  private readonly fingerprints = new Set<string>();

  private constructor(anchors: ParsedCertificate[]) {
    for (const anchor of anchors) {
      const key = anchor.node.subject;
      this.bySubject.set(key, [...(this.bySubject.get(key) ?? []), anchor]);
      this.fingerprints.add(anchor.fingerprintSha256);
    }
  }

  /** A store of the given certificates. */
  static fromCertificates(anchors: ParsedCertificate[]): TrustStore {
    return new TrustStore(anchors);
  }

  /**
   * Reads CA certificates from PEM/DER/PKCS#7 files; a missing or certificate-less file is a config error.
   * `parse` may answer from a cache (default: {@link parseCertificate}).
   */
  static async fromFiles(paths: string[], parse: (der: Buffer) => ParsedCertificate = parseCertificate): Promise<TrustStore> {
    const anchors: ParsedCertificate[] = [];
    for (const path of paths) {
      let data: Buffer;
      try {
        data = await fs.readFile(path);
      } catch (e) {
        throw new InputError(`Cannot read trusted CA file ${path}: ${(e as Error).message}`);
      }
      const found = readCertificateBlocks(data).certificates.map(b => parse(b.der));
      if (found.length === 0) throw new InputError(`Trusted CA file ${path} holds no certificate`);
      anchors.push(...found);
    }
    return new TrustStore(anchors);
  }

  private static publicStore?: TrustStore;

  /** Node's bundled Mozilla root store (`tls.rootCertificates`). */
  static publicRoots(): TrustStore {
    if (!TrustStore.publicStore) {
      const anchors: ParsedCertificate[] = [];
      for (const pem of tls.rootCertificates) {
        for (const block of readCertificateBlocks(Buffer.from(pem)).certificates) {
          try {
            anchors.push(parseCertificate(block.der));
          } catch {
            // A root Node ships but cannot parse cannot anchor anything.
          }
        }
      }
      TrustStore.publicStore = new TrustStore(anchors);
    }
    return TrustStore.publicStore;
  }

  get size(): number {
    return this.fingerprints.size;
  }

  /**
   * Whether `chain[start]` leads, through certificates of `chain` above it,
   * to an anchor of this store, every link verified by signature. Passing
   * `links` remembers signature checks across calls (chains sharing intermediates).
   */
  verifies(chain: ParsedCertificate[], start = 0, links?: IssuerLinks): boolean {
    const signed = links ? (c: ParsedCertificate, i: ParsedCertificate) => links.signedBy(c, i) : signedBy;
    if (this.fingerprints.size === 0) return false;
    let current = chain[start];
    const used = new Set<number>([start]);
    for (let depth = 0; current && depth < MAX_PATH; depth++) {
      if (this.fingerprints.has(current.fingerprintSha256)) return true;
      const anchors = this.bySubject.get(current.node.issuer) ?? [];
      if (anchors.some(anchor => signed(current, anchor))) return true;
      const next = chain.findIndex((c, i) => !used.has(i) && signed(current, c));
      if (next < 0) return false;
      used.add(next);
      current = chain[next];
    }
    return false;
  }
}
