import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';
import { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';
import { makeCertificate, makeTestPki, TestCertificate, TestPki } from '../__testUtils__/testPki';
import { TestServers } from '../__testUtils__/testServers';
import { fetchPeerChain, readDetailedPeerChain, readPeerChain } from './fetchPeerChain';
import { HandshakePool } from './HandshakePool';
import { LocalIssuers } from './localIssuers';

const CORPUS = '/work/shared/corpora/boringssl/pki-verify_certificate_chain_unittest';
const HOST = '127.0.112.1';

/** Reads the peer chain of one handshake both ways: Node's detailed objects, and the X509Certificate walk. */
async function bothWays(port: number, ca?: string[]): Promise<{ detailed: Buffer[]; walked: Buffer[] }> {
  const connect = () =>
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const secureContext = tls.createSecureContext({ minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0', ca });
      const socket = tls.connect({ host: HOST, port, rejectUnauthorized: false, secureContext });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });
  const store = ca ? LocalIssuers.of(ca.flatMap(pem => readCertificateBlocks(Buffer.from(pem)).certificates.map(b => new X509Certificate(b.der)))) : LocalIssuers.defaultStore();
  const a = await connect();
  const detailed = readDetailedPeerChain(a);
  a.destroy();
  const b = await connect();
  const walked = readPeerChain(b, store);
  b.destroy();
  return { detailed, walked };
}

const pem = (...certs: TestCertificate[]) => certs.map(c => c.certPem).join('');

/** One handshake in process and one through a handshake worker: what the scanner gets from each. */
async function inProcessAndWorker(pool: HandshakePool, port: number) {
  const options = { host: HOST, port, connectTimeoutMs: 5000, handshakeTimeoutMs: 5000 };
  const seen = (r: Awaited<ReturnType<typeof fetchPeerChain>>) =>
    r.ok ? { chain: r.chain, certificates: r.certificates?.map(c => c.raw), tlsVersion: r.tlsVersion, cipher: r.cipher } : r;
  return { inProcess: seen(await fetchPeerChain(options)), worker: seen(await pool.fetch(options)) };
}

describe('readPeerChain (getPeerX509Certificate walk) gives the chain getPeerCertificate(true) gives', () => {
  const servers = new TestServers();
  let pki: TestPki;
  let leaf: TestCertificate;
  let other: TestPki;
  const pool = new HandshakePool(1);

  beforeAll(async () => {
    pki = await makeTestPki('Order');
    other = await makeTestPki('Other');
    leaf = await makeCertificate({ subject: 'CN=order.example.test', issuer: pki.intermediate });
  }, 30_000);
  afterAll(async () => {
    await pool.close();
    await servers.closeAll();
  });

  const serve = (cert: string, key = leaf.keyPem) => servers.tls(HOST, 0, { key, cert });

  it.each([
    ['leaf only', () => pem(leaf), () => [leaf]],
    ['leaf + intermediate', () => pem(leaf, pki.intermediate), () => [leaf, pki.intermediate]],
    ['full chain with root', () => pem(leaf, pki.intermediate, pki.root), () => [leaf, pki.intermediate, pki.root]],
    // Node stops linking when the issuer it found was the last presented certificate: the root is not reached.
    ['out of order: root before intermediate', () => pem(leaf, pki.root, pki.intermediate), () => [leaf, pki.intermediate]],
    ['out of order: intermediate, root, then an unrelated CA', () => pem(leaf, pki.root, pki.intermediate, other.root), () => [leaf, pki.intermediate, pki.root]],
    ['root only after the leaf (intermediate missing)', () => pem(leaf, pki.root), () => [leaf]],
    ['duplicates of the intermediate and root', () => pem(leaf, pki.intermediate, pki.intermediate, pki.root, pki.root), () => [leaf, pki.intermediate, pki.root]],
    ['an unrelated CA in the middle', () => pem(leaf, other.intermediate, pki.intermediate, other.root, pki.root), () => [leaf, pki.intermediate, pki.root]],
  ])('%s', async (_name, cert, expected) => {
    const port = await serve(cert());
    const { detailed, walked } = await bothWays(port);
    expect(walked).toEqual(detailed);
    expect(walked).toEqual(expected().map(c => c.der));
    // A handshake worker hands the scanner the same chain, byte for byte.
    const { inProcess, worker } = await inProcessAndWorker(pool, port);
    expect(worker).toEqual(inProcess);
    expect(worker).toMatchObject({ chain: walked, certificates: walked });
  });

  it('a self-signed leaf presented twice', async () => {
    const self = await makeCertificate({ subject: 'CN=self.example.test' });
    const port = await serve(pem(self, self), self.keyPem);
    const { detailed, walked } = await bothWays(port);
    expect(walked).toEqual(detailed);
    expect(walked).toEqual([self.der]);
    const { inProcess, worker } = await inProcessAndWorker(pool, port);
    expect(worker).toEqual(inProcess);
  });

  it('completes the chain from the client store as Node does (root, and intermediate + root)', async () => {
    const port = await serve(pem(leaf, pki.intermediate));
    const rootOnly = await bothWays(port, [pki.root.certPem]);
    expect(rootOnly.walked).toEqual(rootOnly.detailed);
    expect(rootOnly.walked).toEqual([leaf.der, pki.intermediate.der, pki.root.der]);

    const leafOnly = await serve(pem(leaf));
    const fromStore = await bothWays(leafOnly, [pki.intermediate.certPem + pki.root.certPem, other.root.certPem]);
    expect(fromStore.walked).toEqual(fromStore.detailed);
    expect(fromStore.walked).toEqual([leaf.der, pki.intermediate.der, pki.root.der]);

    // A presented root is not looked up again; an unrelated store adds nothing.
    const full = await serve(pem(leaf, pki.intermediate, pki.root));
    const both = await bothWays(full, [pki.root.certPem]);
    expect(both.walked).toEqual(both.detailed);
    const unrelated = await bothWays(port, [other.root.certPem]);
    expect(unrelated.walked).toEqual(unrelated.detailed);
    expect(unrelated.walked).toEqual([leaf.der, pki.intermediate.der]);
  });

  it('every bundled root may sign certificates (the store lookup and checkIssued agree on them)', () => {
    for (const root of tls.rootCertificates) {
      const cert = new X509Certificate(root);
      expect(cert.checkIssued(cert)).toBe(true);
    }
  });

  it('BoringSSL verify-chain corpus: every chain, as presented, reversed and with a duplicate', async () => {
    let cases = 0;
    let linked = 0;
    for (const dir of fs.readdirSync(CORPUS)) {
      const file = path.join(CORPUS, dir, 'chain.pem');
      if (!fs.existsSync(file)) continue;
      const certs = readCertificateBlocks(fs.readFileSync(file)).certificates.map(b => b.der);
      if (certs.length < 2) continue;
      // Our own leaf (we need its key) named as issued by the chain's first CA; OpenSSL's
      // X509_check_issued compares names, key identifiers and key types, not signatures.
      const issuer = new x509.X509Certificate(new Uint8Array(certs[1]));
      const rsa = issuer.publicKey.algorithm.name.startsWith('RSA');
      const alg = rsa
        ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
        : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
      const keys = (await webcrypto.subtle.generateKey(alg as any, true, ['sign', 'verify'])) as CryptoKeyPair;
      const made = await x509.X509CertificateGenerator.create({
        serialNumber: '01',
        subject: `CN=${dir}.corpus.test`,
        issuer: issuer.subjectName,
        notBefore: new Date(Date.now() - 3600_000),
        notAfter: new Date(Date.now() + 86400_000),
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: alg as any,
      });
      const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
      const rest = certs.slice(1);
      for (const order of [rest, [...rest].reverse(), [...rest, rest[0]]]) {
        const chainPem = [Buffer.from(made.rawData), ...order].map(d => x509.PemConverter.encode(new Uint8Array(d), 'CERTIFICATE')).join('\n');
        let port: number;
        try {
          port = await servers.tls(HOST, 0, { key, cert: chainPem });
        } catch {
          continue; // OpenSSL refuses to serve this certificate
        }
        const { detailed, walked } = await bothWays(port);
        expect({ dir, chain: walked.map(d => d.toString("base64").slice(-24)) }).toEqual({ dir, chain: detailed.map(d => d.toString("base64").slice(-24)) });
        const { inProcess, worker } = await inProcessAndWorker(pool, port);
        expect({ dir, worker }).toEqual({ dir, worker: inProcess });
        cases++;
        if (detailed.length > 1) linked++;
      }
    }
    expect(cases).toBeGreaterThan(100);
    // Most chains really were linked past our leaf, so the comparison ordered real CAs.
    expect(linked).toBeGreaterThan(cases / 2);
  }, 120_000);
});
