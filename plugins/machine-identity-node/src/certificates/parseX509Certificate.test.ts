import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCertificate, parseX509Certificate, type ParsedCertificate } from './parseCertificate';
import { readCertificateBlocks } from './readCertificateBlocks';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');

/** Everything but Node's object, which is the one difference allowed. */
const fields = ({ node: _node, ...rest }: ParsedCertificate) => rest;

describe('parseX509Certificate', () => {
  it('gives every field parseCertificate gives from the DER, for every corpus certificate Node decodes', () => {
    const files = new Set(
      readFileSync(resolve(CORPORA, 'ground-truth-x509.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(line => (JSON.parse(line) as { file: string }).file),
    );
    let compared = 0;
    let undecodedBySchema = 0;
    const differences: string[] = [];
    for (const file of files) {
      let blocks;
      try {
        blocks = readCertificateBlocks(readFileSync(resolve(CORPORA, file))).certificates;
      } catch {
        continue; // not a certificate file Keyring reads: nothing to compare
      }
      for (const [index, block] of blocks.entries()) {
        let decoded: X509Certificate;
        try {
          decoded = new X509Certificate(block.der);
        } catch {
          // Node refuses it: parseCertificate throws, and no handshake can present it.
          expect(() => parseCertificate(block.der)).toThrow(/Not a valid X.509 certificate/);
          continue;
        }
        const fromDer = parseCertificate(block.der);
        const fromX509 = parseX509Certificate(decoded);
        expect(fromX509.node).toBe(decoded);
        try {
          expect(fields(fromX509)).toEqual(fields(fromDer));
        } catch {
          differences.push(`${file}#${index}`);
        }
        if (!fromDer.decoded) undecodedBySchema++;
        compared++;
      }
    }
    expect(differences).toEqual([]);
    // 2,184 certificates openssl parses plus the empty-RDN one Node accepts (corpus.test.ts).
    expect(compared).toBeGreaterThanOrEqual(2185);
    // The Node-only fallback path is compared too.
    expect(undecodedBySchema).toBeGreaterThan(0);
  });

  it('reads the same fields from a certificate Node re-decoded from its own encoding', () => {
    const [block] = readCertificateBlocks(
      readFileSync(resolve(CORPORA, 'pyca-cryptography/x509/custom/ec_no_named_curve.pem')),
    ).certificates;
    const decoded = new X509Certificate(block.der);
    const parsed = parseX509Certificate(decoded);
    expect(parsed.der.equals(block.der)).toBe(true);
    expect([parsed.curve, parsed.keySize]).toEqual(['explicit', 256]);
  });
});
