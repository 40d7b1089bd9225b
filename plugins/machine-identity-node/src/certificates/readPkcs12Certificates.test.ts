import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPkcs12Certificates } from './readPkcs12Certificates';

// Counts PBKDF2 runs (passing every call through to the real function).
const derivations = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async importOriginal => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    pbkdf2Sync: (...args: Parameters<typeof actual.pbkdf2Sync>) => {
      derivations.count++;
      return actual.pbkdf2Sync(...args);
    },
  };
});

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const derOf = (pemFile: string) =>
  Buffer.from(readFileSync(pemFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');

describe('readPkcs12Certificates', () => {
  let dir: string;
  let leaf: Buffer;
  let ca: Buffer;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const store = (name: string, ...args: string[]) => {
    openssl('pkcs12', '-export', '-in', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'ca.pem', '-out', name, ...args);
    return readFileSync(join(dir, name));
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyring-p12-'));
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=P12 CA', '-days', '30');
    openssl('req', '-newkey', 'ed25519', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=p12.example.test');
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '30');
    leaf = derOf(join(dir, 'leaf.pem'));
    ca = derOf(join(dir, 'ca.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['OpenSSL 3 defaults (PBES2 AES-256, SHA-256 MAC)', [] as string[]],
    ['legacy 3DES containers with a SHA-1 MAC', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ['unencrypted certificate bags', ['-certpbe', 'NONE']],
    ['PBES2 with AES-128 and few iterations', ['-certpbe', 'AES-128-CBC', '-iter', '1000']],
  ])('reads the original DER of every certificate bag: %s', (_what, args) => {
    const p12 = store('s.p12', '-passout', 'pass:p12-pass', ...args);
    expect(readPkcs12Certificates(p12, 'p12-pass').map(sha256).sort()).toEqual([sha256(leaf), sha256(ca)].sort());
  });

  it('reads a store without a password', () => {
    const p12 = store('nopass.p12', '-passout', 'pass:', '-certpbe', 'NONE', '-keypbe', 'NONE');
    expect(readPkcs12Certificates(p12, undefined).map(sha256).sort()).toEqual([sha256(leaf), sha256(ca)].sort());
  });

  it('refuses a wrong or missing password by the MAC, naming the setting', () => {
    const p12 = store('w.p12', '-passout', 'pass:right');
    expect(() => readPkcs12Certificates(p12, 'wrong')).toThrow(/wrong or missing pkcs12Password/);
    expect(() => readPkcs12Certificates(p12, undefined)).toThrow(/wrong or missing pkcs12Password/);
  });

  it('never derives a key for the shrouded key bag', () => {
    const counted = (p12: Buffer) => {
      derivations.count = 0;
      expect(readPkcs12Certificates(p12, 'p12-pass')).toHaveLength(2);
      return derivations.count;
    };
    // Positive control: PBES2-encrypted certificates take one key derivation, seen by the counter.
    expect(counted(store('c.p12', '-passout', 'pass:p12-pass'))).toBe(1);
    // With the certificates unencrypted, the only PBKDF2 a reader could run is the key bag's.
    expect(counted(store('k.p12', '-passout', 'pass:p12-pass', '-certpbe', 'NONE'))).toBe(0);
  });

  it('turns truncated and garbled stores into an error, never a crash', () => {
    const p12 = store('t.p12', '-passout', 'pass:x');
    for (const bytes of [p12.subarray(0, 40), p12.subarray(0, p12.length - 30), Buffer.concat([p12.subarray(0, 100), Buffer.alloc(50, 0xff)])]) {
      expect(() => readPkcs12Certificates(bytes, 'x')).toThrow(/PKCS#12/);
    }
  });
});
