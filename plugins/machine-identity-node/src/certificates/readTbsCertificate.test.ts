import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { decodeTbsWithSchema, parseCertificate, parseCertificateWithSchema } from './parseCertificate';
import { readCertificateBlocks } from './readCertificateBlocks';
import { readTbsCertificate } from './readTbsCertificate';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Every certificate DER of the shared corpora. */
function corpusCertificates(): Buffer[] {
  const out: Buffer[] = [];
  for (const path of files(CORPORA)) {
    try {
      out.push(...readCertificateBlocks(readFileSync(path)).certificates.map(b => b.der));
    } catch {
      // Not a certificate file.
    }
  }
  return out;
}

/** The parse result without Node's object (compared as data). */
function data(parse: () => ReturnType<typeof parseCertificate>) {
  try {
    const { node: _node, ...rest } = parse();
    return rest;
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('readTbsCertificate (the tree walk) against the schema decoder', () => {
  it('gives the schema decoder’s fields for every certificate of the shared corpora, or leaves it to the schema', () => {
    const ders = corpusCertificates();
    expect(ders.length).toBeGreaterThan(2000);
    let walked = 0;
    for (const der of ders) {
      const fast = readTbsCertificate(der);
      if (fast) {
        walked++;
        // The walk never accepts what the schema refuses, and reads the same.
        expect(decodeTbsWithSchema(der)).toEqual(fast);
        // Whole results compared on a sample (the TLS module's corpus test checks every field against openssl).
        if (walked % 10 === 0) expect(data(() => parseCertificate(der))).toEqual(data(() => parseCertificateWithSchema(der)));
      }
    }
    // The walk serves the common case (1,972 of 2,218 here: the corpora are full of odd shapes, which go to the schema).
    expect(walked / ders.length).toBeGreaterThan(0.85);
  }, 180_000);

  it('agrees with the schema decoder on mutated certificates (fast-check)', () => {
    const leaf = execFileSync('openssl', ['x509', '-outform', 'DER'], {
      input: execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=walk.example.test/O=Keyring', '-addext', 'subjectAltName=DNS:walk.example.test,IP:127.0.0.1', '-days', '30'], { stdio: ['pipe', 'pipe', 'pipe'] }),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(leaf.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), flips => {
        const copy = Buffer.from(leaf);
        for (const [at, value] of flips) copy[at] = value;
        const fast = readTbsCertificate(copy);
        if (fast) expect(decodeTbsWithSchema(copy)).toEqual(fast);
        expect(data(() => parseCertificate(copy))).toEqual(data(() => parseCertificateWithSchema(copy)));
      }),
      // A seed whose mutation made a name's attribute value a NULL (the walk kept its bytes, the schema null).
      { numRuns: 300, examples: [[[[89, 5]]]] },
    );
  }, 120_000);
});
