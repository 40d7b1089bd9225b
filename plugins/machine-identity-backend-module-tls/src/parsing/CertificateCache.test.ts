import { X509Certificate } from 'node:crypto';
import { makeCertificate, makeTestPki, TestPki } from '../__testUtils__/testPki';
import { CertificateCache } from '@keyring/plugin-machine-identity-node';
import { parseCertificate, ParsedCertificate } from '@keyring/plugin-machine-identity-node';

/** Comparable view of a parsed certificate (Node's X509Certificate object aside). */
const fields = ({ node: _node, ...rest }: ParsedCertificate) => rest;

describe('CertificateCache', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await makeTestPki('Cache');
  }, 30_000);

  function countingCache(maxEntries?: number) {
    const calls: Buffer[] = [];
    const cache = new CertificateCache({
      maxEntries,
      parse: der => {
        calls.push(der);
        return parseCertificate(der);
      },
    });
    return { cache, calls };
  }

  it('parses a DER once and answers the second sighting from the cache with identical fields', () => {
    const { cache, calls } = countingCache();
    const first = cache.parse(pki.intermediate.der);
    // A different Buffer with the same bytes, as a second handshake would deliver it.
    const second = cache.parse(Buffer.from(pki.intermediate.der));
    expect(calls).toHaveLength(1);
    expect(second).toBe(first);
    expect(fields(second)).toEqual(fields(parseCertificate(pki.intermediate.der)));
    expect(cache.stats).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('keeps distinct certificates apart', () => {
    const { cache, calls } = countingCache();
    const a = cache.parse(pki.root.der);
    const b = cache.parse(pki.intermediate.der);
    expect(calls).toHaveLength(2);
    expect(a.fingerprintSha256).not.toBe(b.fingerprintSha256);
    expect(cache.parse(pki.root.der)).toBe(a);
    expect(cache.parse(pki.intermediate.der)).toBe(b);
    expect(calls).toHaveLength(2);
  });

  it('is bounded and drops the least recently used entry first', async () => {
    const leaf = await makeCertificate({ subject: 'CN=lru.example.test', issuer: pki.intermediate });
    const { cache, calls } = countingCache(2);
    cache.parse(pki.root.der);
    cache.parse(pki.intermediate.der);
    cache.parse(pki.root.der); // root is now the most recently used
    cache.parse(leaf.der); // evicts the intermediate
    expect(cache.stats.size).toBe(2);
    expect(calls).toHaveLength(3);
    cache.parse(pki.root.der);
    cache.parse(leaf.der);
    expect(calls).toHaveLength(3);
    cache.parse(pki.intermediate.der);
    expect(calls).toHaveLength(4);
  });

  it('answers a DER and the same certificate as Node decoded it from one entry', () => {
    const { cache, calls } = countingCache();
    const decoded = new X509Certificate(pki.intermediate.der);
    const fromX509 = cache.parseX509(decoded);
    // A configured parser is handed the DER of the decoded certificate.
    expect(calls).toEqual([pki.intermediate.der]);
    expect(cache.parse(Buffer.from(pki.intermediate.der))).toBe(fromX509);
    expect(cache.parseX509(new X509Certificate(pki.intermediate.der))).toBe(fromX509);
    expect(calls).toHaveLength(1);
    expect(cache.stats).toEqual({ hits: 2, misses: 1, size: 1 });
  });

  it('parses a miss from the decoded certificate itself, with the fields the DER gives', () => {
    const cache = new CertificateCache();
    const decoded = new X509Certificate(pki.root.der);
    const parsed = cache.parseX509(decoded);
    expect(parsed.node).toBe(decoded);
    expect(fields(parsed)).toEqual(fields(parseCertificate(pki.root.der)));
    expect(parsed.fingerprintSha256).toBe(decoded.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('refuses a malformed DER again without re-parsing it', () => {
    const { cache, calls } = countingCache();
    const garbage = Buffer.from('30030201ff', 'hex');
    expect(() => cache.parse(garbage)).toThrow(/Not a valid X.509 certificate/);
    expect(() => cache.parse(garbage)).toThrow(/Not a valid X.509 certificate/);
    expect(calls).toHaveLength(1);
  });
});
