import fs from 'node:fs';
import path from 'node:path';
import { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';
import { compareCorpus } from './corpusCompare';
import { parseCertificate } from '@keyring/plugin-machine-identity-node';

const corpusDir = path.resolve(__dirname, '../../../../../shared/corpora');

describe('external X.509 corpus against openssl ground truth', () => {
  it('matches every field openssl reports, with each documented difference counted', () => {
    const result = compareCorpus(corpusDir);
    expect(result.crashes).toEqual([]);
    expect(result.mismatches).toEqual([]);
    expect(result.records).toBe(2493);
    // Every certificate openssl parsed was parsed and compared, field by field.
    expect(result.certificatesCompared).toBe(2184);
    expect(result.fieldsCompared).toBeGreaterThan(21_000);
    // openssl refused 18 blocks; Keyring refused 17 of them and parsed one (rule below).
    expect(result.unparseableAgreed).toBe(17);
    // Documented rules where openssl and Keyring legitimately differ:
    expect(result.explained).toEqual({
      // ED25519, ML-DSA, GOST… keys: openssl prints no bit count, so there is nothing to compare.
      'bits: openssl prints no size for this key type': 25,
      // openssl could not decode the SAN extension and printed a dump / `<EMPTY>`.
      'sans: openssl printed no decodable SAN list': 9,
      // zlint subCertLocalityNameDoesNotNeedToAppear: `openssl x509`'s decoder refuses an
      // empty RDN SET that Node's (OpenSSL d2i) parser accepts.
      'empty RDN SET: openssl x509 refuses it, Node parses it': 1,
      // boringssl failed_signature_algorithm.pem: the outer signatureAlgorithm's parameters
      // carry universal tag 469794384; asn1js refuses tags >= 37 as reserved, OpenSSL accepts it.
      // Node's fields are still reported; the signature algorithm is absent.
      'sigAlg: asn1-schema refuses the certificate and Node 20 has no signature algorithm': 1,
    });
  });

  it('reports what Node reads when the ASN.1 schema decoder refuses a certificate OpenSSL accepts', () => {
    const file = 'boringssl/pki-parse_certificate_unittest/failed_signature_algorithm.pem';
    const [block] = readCertificateBlocks(fs.readFileSync(path.join(corpusDir, file))).certificates;
    const cert = parseCertificate(block.der);
    expect(cert.decoded).toBe(false);
    expect(cert.subject).toBe('OU = Domain Control Validated, OU = PositiveSSL, CN = videomagical.com');
    expect(cert.subjectAttributes[2]).toEqual({ oid: '2.5.4.3', name: 'CN', value: 'videomagical.com', rdn: 2 });
    expect(cert.sans).toEqual(['DNS:videomagical.com', 'DNS:www.videomagical.com']);
    expect(cert.keyAlgorithm).toBe('RSA');
    expect(cert.keySize).toBe(2048);
    expect(cert.notAfter).toBe('2015-05-29T23:59:59.000Z');
    expect(cert.signatureAlgorithm).toBeUndefined();
    expect(cert.extensions).toEqual([]);
  });

  it('reads explicit EC curves and invalid path lengths without guessing', () => {
    const read = (file: string) =>
      parseCertificate(readCertificateBlocks(fs.readFileSync(path.join(corpusDir, file))).certificates[0].der);
    const explicit = read('pyca-cryptography/x509/custom/ec_no_named_curve.pem');
    expect([explicit.decoded, explicit.curve, explicit.keySize]).toEqual([true, 'explicit', 256]);
    // A negative pathLenConstraint is invalid: no path length is reported (it used to read as 251).
    const negative = read('zlint/testdata/caMaxPathNegative.pem');
    expect([negative.isCa, negative.pathLength]).toEqual([true, undefined]);
  });

  it('never crashes on any corpus file, whatever it holds', () => {
    const files = fs
      .readFileSync(path.join(corpusDir, 'ground-truth-x509.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(l => (JSON.parse(l) as { file: string }).file);
    let parsed = 0;
    let refused = 0;
    for (const file of new Set(files)) {
      let blocks;
      try {
        blocks = readCertificateBlocks(fs.readFileSync(path.join(corpusDir, file)));
      } catch (e) {
        expect((e as Error).name).toBe('InputError');
        refused++;
        continue;
      }
      for (const block of blocks.certificates) {
        try {
          parseCertificate(block.der);
          parsed++;
        } catch (e) {
          expect((e as Error).name).toBe('InputError');
          refused++;
        }
      }
    }
    expect(parsed).toBeGreaterThanOrEqual(2185);
    expect(refused).toBeGreaterThan(0);
  });
});
