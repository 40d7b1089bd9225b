import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, makeTestPki, TestCertificate, TestPki } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { CertificateFilesScanner } from './CertificateFilesScanner';
import { CertificateCache } from '@keyring/plugin-machine-identity-node';
import { parseCertificate } from '@keyring/plugin-machine-identity-node';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

describe('CertificateFilesScanner on real certificate files', () => {
  let dir: string;
  let pki: TestPki;
  let rsa: TestCertificate;
  let ec: TestCertificate;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-certfiles-'));
    pki = await makeTestPki('Files');
    rsa = await makeCertificate({ subject: 'CN=rsa.files.example.test', keyType: 'rsa2048', dnsNames: ['rsa.files.example.test'], issuer: pki.intermediate });
    ec = await makeCertificate({ subject: 'CN=ec.files.example.test', dnsNames: ['ec.files.example.test'], issuer: pki.intermediate });
    const w = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);
    fs.mkdirSync(path.join(dir, 'nested'));
    // PEM with key + leaf + chain: the key must never surface.
    w('nested/bundle.pem', rsa.keyPem + rsa.certPem + pki.intermediate.certPem);
    w('ec.der', ec.der);
    w('root.pem', pki.root.certPem);
    w('broken.pem', '-----BEGIN CERTIFICATE-----\nMIIBnotreallyacert\n-----END CERTIFICATE-----\n');
    w('garbage.crt', Buffer.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]));
    // PKCS#7 and PKCS#12 made by the openssl CLI, the way operators make them.
    const tmp = (name: string, data: string) => {
      const p = path.join(os.tmpdir(), `${path.basename(dir)}-${name}`);
      fs.writeFileSync(p, data);
      return p;
    };
    const leafPem = tmp('leaf.pem', rsa.certPem);
    const chainPem = tmp('chain.pem', pki.intermediate.certPem);
    const keyPem = tmp('key.pem', rsa.keyPem);
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', leafPem, '-certfile', chainPem, '-outform', 'DER', '-out', path.join(dir, 'bundle.p7b')]);
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', chainPem, '-out', path.join(dir, 'chain-pem.p7b')]);
    execFileSync('openssl', ['pkcs12', '-export', '-in', leafPem, '-inkey', keyPem, '-certfile', chainPem, '-passout', 'pass:s3cret-pass', '-out', path.join(dir, 'store.p12')]);
    const ecLeafPem = tmp('ec.pem', ec.certPem);
    const ecKeyPem = tmp('eckey.pem', ec.keyPem);
    execFileSync('openssl', ['pkcs12', '-export', '-in', ecLeafPem, '-inkey', ecKeyPem, '-passout', 'pass:s3cret-pass', '-out', path.join(dir, 'nested/ec.p12')]);
    for (const f of [leafPem, chainPem, keyPem, ecLeafPem, ecKeyPem]) fs.rmSync(f);
    fs.utimesSync(path.join(dir, 'ec.der'), new Date('2024-02-03T04:05:06Z'), new Date('2024-02-03T04:05:06Z'));
  }, 60_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads PEM, DER, PKCS#7 and PKCS#12 files, never returning key material', async () => {
    const out = await runScanner(CertificateFilesScanner.create({ hostname: 'files-host', approvedIssuerFiles: [path.join(dir, 'root.pem')] }), {
      type: 'certificate-files',
      paths: [`${dir}/**/*.{pem,crt,der,p7b,p12}`],
      pkcs12Password: 's3cret-pass',
    });
    const at = (loc: string) => out.discoveries.filter(d => d.location === `files-host:${dir}/${loc}`).map(d => d.fingerprintSha256);
    expect(at('nested/bundle.pem#0')).toEqual([sha256(rsa.der)]);
    expect(at('nested/bundle.pem#1')).toEqual([sha256(pki.intermediate.der)]);
    expect(at('ec.der')).toEqual([sha256(ec.der)]);
    expect(at('root.pem')).toEqual([sha256(pki.root.der)]);
    expect(at('bundle.p7b#0').concat(at('bundle.p7b#1')).sort()).toEqual([sha256(rsa.der), sha256(pki.intermediate.der)].sort());
    expect(at('chain-pem.p7b')).toEqual([sha256(pki.intermediate.der)]);
    expect(at('store.p12#0').concat(at('store.p12#1')).sort()).toEqual([sha256(rsa.der), sha256(pki.intermediate.der)].sort());
    // An EC certificate in PKCS#12, which node-forge cannot model, is still read.
    expect(at('nested/ec.p12')).toEqual([sha256(ec.der)]);

    const ecDer = out.discoveries.find(d => d.location.endsWith('/ec.der'))!;
    expect(ecDer.firstSeenEvidence).toBe('2024-02-03T04:05:06.000Z');
    expect(ecDer.attributes).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-256', chainTrusted: false });
    const leaf = out.discoveries.find(d => d.location.endsWith('bundle.pem#0'))!;
    expect(leaf.attributes).toMatchObject({ subject: 'CN = rsa.files.example.test', keyAlgorithm: 'RSA', keySize: 2048, chainTrusted: true });
    expect(leaf.links?.hostnames).toEqual(['rsa.files.example.test']);

    // No private key, password or key bytes anywhere in what the scanner returned or reported.
    const everything = JSON.stringify(out);
    expect(everything).not.toMatch(/PRIVATE KEY/);
    expect(everything).not.toContain('s3cret-pass');
    const keyBody = rsa.keyPem.split('\n')[1];
    expect(everything).not.toContain(keyBody);

    // Broken files are problems naming the file; the rest of the scan went on.
    const problemLocations = out.problems.map(p => p.location).sort();
    expect(problemLocations).toEqual([`files-host:${dir}/broken.pem`, `files-host:${dir}/garbage.crt`].sort());
    expect(out.progress.at(-1)).toEqual({ done: 9, total: 9 });
  });

  it('parses a certificate repeated across files once, and nothing again on a re-scan, with identical results', async () => {
    const parsed: string[] = [];
    const cache = new CertificateCache({
      parse: der => {
        parsed.push(sha256(der));
        return parseCertificate(der);
      },
    });
    const scanner = CertificateFilesScanner.create({ hostname: 'h', approvedIssuerFiles: [path.join(dir, 'root.pem')], certificateCache: cache });
    const source = { type: 'certificate-files', paths: [`${dir}/**/*.{pem,crt,der,p7b,p12}`], pkcs12Password: 's3cret-pass' };
    const first = await runScanner(scanner, source);
    // The intermediate is in four files and the RSA leaf in three: each distinct DER parsed once.
    expect(parsed.filter(f => f === sha256(pki.intermediate.der))).toHaveLength(1);
    expect(parsed.filter(f => f === sha256(rsa.der))).toHaveLength(1);
    expect(new Set(parsed).size).toBe(parsed.length);
    const afterFirst = parsed.length;
    const again = await runScanner(scanner, source);
    expect(parsed).toHaveLength(afterFirst);
    expect(again.discoveries).toEqual(first.discoveries);
    expect(again.problems).toEqual(first.problems);
    const fresh = await runScanner(CertificateFilesScanner.create({ hostname: 'h', approvedIssuerFiles: [path.join(dir, 'root.pem')] }), source);
    expect(fresh.discoveries).toEqual(first.discoveries);
  });

  it('reports a wrong PKCS#12 password as a problem on that file', async () => {
    const out = await runScanner(CertificateFilesScanner.create({ hostname: 'h' }), {
      type: 'certificate-files',
      paths: [`${dir}/store.p12`, `${dir}/root.pem`],
      pkcs12Password: 'wrong',
    });
    expect(out.discoveries.map(d => d.fingerprintSha256)).toEqual([sha256(pki.root.der)]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0].location).toBe(`h:${dir}/store.p12`);
    expect(out.problems[0].message).toMatch(/wrong or missing pkcs12Password/);
    expect(out.problems[0].message).not.toContain('wrong"');
  });
});
