import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, makeTestPki, TestCertificate, TestPki } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { TestServers } from './__testUtils__/testServers';
import { CertificateCache } from '@keyring/plugin-machine-identity-node';
import { parseCertificate } from '@keyring/plugin-machine-identity-node';
import { TlsScanner } from './TlsScanner';
import { HANDSHAKE_WORKERS } from './__testUtils__/handshakeWorkers';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();

describe('TlsScanner against real TLS servers on loopback', () => {
  const servers = new TestServers();
  let pki: TestPki;
  let rsaLeaf: TestCertificate;
  let ecLeaf: TestCertificate;
  let expired: TestCertificate;
  let selfSigned: TestCertificate;
  let sniLeaf: TestCertificate;
  let port: number;
  let caFile: string;
  let tmp: string;

  beforeAll(async () => {
    pki = await makeTestPki();
    rsaLeaf = await makeCertificate({
      subject: 'CN=api.payments.example.test, O=Payments, C=DE',
      keyType: 'rsa2048',
      dnsNames: ['api.payments.example.test', '*.payments.example.test'],
      ipAddresses: ['127.0.110.1'],
      issuer: pki.intermediate,
      serialNumber: '0a1b2c3d4e5f',
    });
    ecLeaf = await makeCertificate({ subject: 'CN=ec.example.test', keyType: 'ec384', dnsNames: ['ec.example.test'], issuer: pki.intermediate });
    expired = await makeCertificate({
      subject: 'CN=expired.example.test',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    selfSigned = await makeCertificate({ subject: 'CN=self.example.test', keyType: 'rsa2048' });
    sniLeaf = await makeCertificate({ subject: 'CN=alt.example.test', dnsNames: ['alt.example.test'], issuer: pki.intermediate });

    port = await servers.tls('127.0.110.1', 0, { key: rsaLeaf.keyPem, cert: rsaLeaf.certPem + pki.intermediate.certPem });
    await servers.tls('127.0.110.2', port, { key: ecLeaf.keyPem, cert: ecLeaf.certPem + pki.intermediate.certPem });
    await servers.tls('127.0.110.3', port, { key: expired.keyPem, cert: expired.certPem });
    await servers.tls('127.0.110.4', port, { key: selfSigned.keyPem, cert: selfSigned.certPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
    const tls = await import('node:tls');
    const alt = tls.createSecureContext({ key: sniLeaf.keyPem, cert: sniLeaf.certPem + pki.intermediate.certPem });
    await servers.tls('127.0.110.5', port, {
      key: ecLeaf.keyPem,
      cert: ecLeaf.certPem + pki.intermediate.certPem,
      SNICallback: (name, cb) => cb(null, name === 'alt.example.test' ? alt : undefined),
    });
    await servers.tls('::1', port, { key: ecLeaf.keyPem, cert: ecLeaf.certPem + pki.intermediate.certPem });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-tls-'));
    caFile = path.join(tmp, 'root.pem');
    fs.writeFileSync(caFile, pki.root.certPem);
  }, 60_000);

  afterAll(async () => {
    await servers.closeAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe.each(HANDSHAKE_WORKERS)('handshakeWorkers %i', handshakeWorkers => {
    it('reads the full presented chain and reports every field as generated', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.110.1:${port}`],
        trustedCaFiles: [caFile],
      });
      expect(out.problems).toEqual([]);
      expect(out.discoveries).toHaveLength(2);
      const [leaf, intermediate] = out.discoveries;
      expect(leaf.type).toBe('tls-certificate');
      expect(leaf.fingerprintSha256).toBe(sha256(rsaLeaf.der));
      expect(leaf.displayName).toBe('api.payments.example.test');
      expect(leaf.location).toBe(`127.0.110.1:${port}`);
      expect(leaf.attributes).toMatchObject({
        subject: 'CN = api.payments.example.test, O = Payments, C = DE',
        issuer: 'CN = Keyring Test Issuing CA, O = Keyring Tests, C = DE',
        sans: ['DNS:api.payments.example.test', 'DNS:*.payments.example.test', 'IP Address:127.0.110.1'],
        serialNumber: 'a1b2c3d4e5f',
        notBefore: iso(rsaLeaf.cert.notBefore),
        notAfter: iso(rsaLeaf.cert.notAfter),
        keyAlgorithm: 'RSA',
        keySize: 2048,
        signatureAlgorithm: 'ecdsa-with-SHA256',
        isCa: false,
        selfSigned: false,
        chainTrusted: true,
        publiclyTrusted: false,
        chain: [sha256(pki.intermediate.der)],
      });
      expect(leaf.details).toEqual({ tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', serverName: undefined, chainPosition: 0 });
      expect(leaf.links?.hostnames).toEqual(['api.payments.example.test', '*.payments.example.test']);

      expect(intermediate.fingerprintSha256).toBe(sha256(pki.intermediate.der));
      expect(intermediate.displayName).toBe('Keyring Test Issuing CA');
      expect(intermediate.details).toMatchObject({ chainPosition: 1 });
      expect(intermediate.attributes).toMatchObject({
        keyAlgorithm: 'EC',
        curve: 'P-256',
        keySize: 256,
        signatureAlgorithm: 'sha256WithRSAEncryption',
        isCa: true,
        chainTrusted: true,
        chain: [],
      });
      expect(intermediate.links).toBeUndefined();
    });

    it('marks expired, self-signed and untrusted certificates, and records TLS 1.2 ciphers', async () => {
      const out = await runScanner(TlsScanner.create({ approvedIssuerFiles: [caFile] }), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.110.2:${port}`, `127.0.110.3:${port}`, `127.0.110.4:${port}`],
      });
      expect(out.problems).toEqual([]);
      const byFp = new Map(out.discoveries.map(d => [d.fingerprintSha256, d]));
      const ec = byFp.get(sha256(ecLeaf.der))!;
      expect(ec.attributes).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-384', keySize: 384, chainTrusted: true });
      const old = byFp.get(sha256(expired.der))!;
      expect(old.attributes).toMatchObject({
        notAfter: '2021-01-01T00:00:00.000Z',
        selfSigned: true,
        chainTrusted: false,
        publiclyTrusted: false,
      });
      const self = byFp.get(sha256(selfSigned.der))!;
      expect(self.attributes).toMatchObject({ selfSigned: true, chainTrusted: false, keyAlgorithm: 'RSA', signatureAlgorithm: 'sha256WithRSAEncryption' });
      expect(self.details).toMatchObject({ tlsVersion: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' });
      // Without the approved root the same chain is not trusted.
      const untrusted = await runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: [`127.0.110.2:${port}`] });
      expect(untrusted.discoveries[0].attributes.chainTrusted).toBe(false);
    });

    it('parses each distinct certificate once per scanner, across endpoints and re-scans, with identical results', async () => {
      const parsed: string[] = [];
      const cache = new CertificateCache({
        parse: der => {
          parsed.push(sha256(der));
          return parseCertificate(der);
        },
      });
      const scanner = TlsScanner.create({ certificateCache: cache });
      // .1 and .2 present different leaves under the same intermediate.
      const source = { type: 'tls', handshakeWorkers, targets: [`127.0.110.1:${port}`, `127.0.110.2:${port}`], trustedCaFiles: [caFile] };
      const first = await runScanner(scanner, source);
      expect(first.discoveries).toHaveLength(4);
      // The trusted CA file's root goes through the same cache.
      const distinct = [sha256(rsaLeaf.der), sha256(ecLeaf.der), sha256(pki.intermediate.der), sha256(pki.root.der)];
      expect(parsed.sort()).toEqual(distinct.sort());
      expect(cache.stats).toMatchObject({ misses: 4, hits: 1, size: 4 });

      const again = await runScanner(scanner, source);
      expect(parsed).toHaveLength(4);
      expect(cache.stats).toMatchObject({ misses: 4, hits: 6 });
      const byLocation = (out: typeof first) =>
        [...out.discoveries].sort((a, b) => `${a.location}${a.details?.chainPosition}`.localeCompare(`${b.location}${b.details?.chainPosition}`));
      expect(byLocation(again)).toEqual(byLocation(first));
      // The same as a scanner that parses every certificate afresh.
      const uncached = await runScanner(TlsScanner.create({ certificateCache: new CertificateCache({ maxEntries: 1 }) }), source);
      expect(byLocation(uncached)).toEqual(byLocation(first));
      expect(first.discoveries.find(d => d.fingerprintSha256 === sha256(rsaLeaf.der))?.attributes).toMatchObject({
        chainTrusted: true,
        chain: [sha256(pki.intermediate.der)],
      });
    });

    it('sweeps a CIDR range: finds every listener, and closed addresses are not an incomplete scan', async () => {
      const out = await runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: [`127.0.110.0/29:${port}`], concurrency: 4 });
      const leaves = out.discoveries.filter(d => d.details?.chainPosition === 0).map(d => d.location).sort();
      expect(leaves).toEqual([1, 2, 3, 4, 5].map(i => `127.0.110.${i}:${port}`));
      expect(out.problems).toEqual([
        { location: `127.0.110.0/29:${port}`, message: '3 endpoint(s) of this range had nothing listening', incomplete: false },
      ]);
      expect(out.progress.at(-1)).toEqual({ done: 8, total: 8 });
    });

    it('tries each configured SNI name and links the name to the certificate served for it', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.110.5:${port}`],
        serverNames: ['alt.example.test', 'other.example.test'],
      });
      const leaves = out.discoveries.filter(d => d.details?.chainPosition === 0);
      const alt = leaves.find(d => d.details?.serverName === 'alt.example.test')!;
      const other = leaves.find(d => d.details?.serverName === 'other.example.test')!;
      expect(alt.fingerprintSha256).toBe(sha256(sniLeaf.der));
      expect(alt.links?.hostnames).toEqual(['alt.example.test']);
      expect(other.fingerprintSha256).toBe(sha256(ecLeaf.der));
      expect(other.links?.hostnames).toEqual(['ec.example.test', 'other.example.test']);
    });

    it('scans IPv6 loopback and hostnames, sending the hostname as SNI', async () => {
      const out = await runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: [`[::1]:${port}`, `localhost:${port}`] });
      const v6 = out.discoveries.find(d => d.location === `[::1]:${port}`);
      expect(v6?.fingerprintSha256).toBe(sha256(ecLeaf.der));
      // localhost resolves to 127.0.0.1 or ::1; where it reaches the ::1 listener, SNI was sent.
      const local = out.discoveries.find(d => d.location === `localhost:${port}` && d.details?.chainPosition === 0);
      if (local) {
        expect(local.details?.serverName).toBe('localhost');
        expect(local.links?.hostnames).toContain('localhost');
      } else {
        expect(out.problems.map(p => p.location)).toContain(`localhost:${port}`);
      }
    });
  });
});
