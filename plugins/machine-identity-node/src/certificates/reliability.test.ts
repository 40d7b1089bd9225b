import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { parseCertificate } from './parseCertificate';
import { pemBlocks, readCertificateBlocks } from './readCertificateBlocks';
import { readPkcs12Certificates } from './readPkcs12Certificates';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');
const RUNS = 300;

/** Runs `fn`; an error must be an InputError with a message, and the call must end within `ms`. */
function expectContained(fn: () => unknown, ms = 2_000): void {
  const started = Date.now();
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe('InputError');
    expect((e as Error).message.length).toBeGreaterThan(0);
  }
  expect(Date.now() - started).toBeLessThan(ms);
}

/** Every certificate of a file, decoded, and every parse of it contained. */
function readAll(data: Buffer, password?: string): void {
  expectContained(() => {
    for (const block of readCertificateBlocks(data, { pkcs12Password: password }).certificates) {
      expectContained(() => parseCertificate(block.der));
    }
  });
}

/** Byte-level mutations of a seed: flips, truncation, insertion, splices. */
const mutated = (seed: Buffer) =>
  fc
    .tuple(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(seed.length), fc.uint8Array({ maxLength: 16 }))
    .map(([flips, cut, insert]) => {
      const copy = Buffer.from(seed);
      for (const [at, value] of flips) copy[at] = value;
      return Buffer.concat([copy.subarray(0, cut), Buffer.from(insert), copy.subarray(cut)]).subarray(0, seed.length + insert.length);
    });

describe('reliability of the X.509 parsers (property-based)', () => {
  let dir: string;
  let leafDer: Buffer;
  let p7b: Buffer;
  let p12: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyring-reliability-'));
    const sh = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=fuzz.example.test', '-days', '30');
    sh('x509', '-in', 'c.pem', '-outform', 'DER', '-out', 'c.der');
    sh('crl2pkcs7', '-nocrl', '-certfile', 'c.pem', '-outform', 'DER', '-out', 'c.p7b');
    sh('pkcs12', '-export', '-in', 'c.pem', '-inkey', 'k.pem', '-passout', 'pass:fuzz', '-certpbe', 'NONE', '-iter', '1', '-out', 'c.p12');
    leafDer = readFileSync(join(dir, 'c.der'));
    p7b = readFileSync(join(dir, 'c.p7b'));
    p12 = readFileSync(join(dir, 'c.p12'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('DER: arbitrary and mutated certificates parse or fail with an InputError, quickly', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), bytes => readAll(Buffer.from([0x30, ...bytes]))), { numRuns: RUNS });
    fc.assert(fc.property(mutated(leafDer), der => expectContained(() => parseCertificate(der))), { numRuns: RUNS });
  });

  it('PEM: arbitrary armour, labels and bodies never crash, and blocks are found as written', () => {
    const piece = fc.oneof(
      fc.constantFrom('-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN PRIVATE KEY-----', '-----END PKCS7-----', '-----BEGIN ', '-----', '\n', '\r\n'),
      fc.base64String({ maxLength: 200 }),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), parts => readAll(Buffer.from(parts.join(''), 'latin1'))), { numRuns: RUNS });
    // Real blocks between arbitrary noise are all found, with their bodies.
    const pem = readFileSync(join(dir, 'c.pem'), 'utf8');
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z \n]{0,30}$/), { minLength: 1, maxLength: 5 }), noise => {
        const text = noise.join(pem);
        expect([...pemBlocks(text)]).toHaveLength(noise.length - 1);
        expect(readCertificateBlocks(Buffer.from(text)).certificates.every(b => b.der.equals(leafDer))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('PKCS#7 and PKCS#12: mutated bundles and stores give certificates or an InputError, never a crash', () => {
    fc.assert(fc.property(mutated(p7b), data => readAll(data)), { numRuns: RUNS });
    fc.assert(fc.property(mutated(p12), data => expectContained(() => readPkcs12Certificates(data, 'fuzz'))), { numRuns: RUNS });
    expect(readPkcs12Certificates(p12, 'fuzz')).toEqual([leafDer]);
  });

  it('corpora: every file of every corpus is read without a crash or a hang', () => {
    const files = execFileSync('find', [CORPORA, '-type', 'f', '-size', '-2M'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(2000);
    for (const file of files) readAll(readFileSync(file));
  }, 300_000);
});
