import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ConfigReader } from '@backstage/config';
import type { RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { makeCertificate, makeTestPki } from '../__testUtils__/testPki';
import { freePort, TestServers } from '../__testUtils__/testServers';
import { readSeenCertificate } from './readSeenCertificate';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const source = (type: string) => ({ id: type, type, config: new ConfigReader({ id: type, type }) });
const target = (der: Buffer, observations: Array<{ type: string; location: string; details?: Record<string, unknown> }>) =>
  ({
    requestId: 'r1',
    reason: 'retired',
    identity: { fingerprintSha256: sha256(der) },
    observations: observations.map(o => ({ sourceId: o.type, location: o.location, details: o.details, source: source(o.type) })),
  }) as unknown as RevocationTarget;

describe('reading a certificate back from where it was seen', () => {
  const servers = new TestServers();
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyring-acme-read-'));
  });
  afterAll(async () => {
    await servers.closeAll();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds it in a multi-certificate file and through a TLS handshake with the sighting’s SNI, by fingerprint only', async () => {
    const pki = await makeTestPki();
    const leaf = await makeCertificate({ subject: 'CN=ledger.keyring.test', dnsNames: ['ledger.keyring.test'], issuer: pki.intermediate });
    const other = await makeCertificate({ subject: 'CN=other.keyring.test', issuer: pki.intermediate });
    const file = path.join(dir, 'bundle.pem');
    await fs.writeFile(file, other.certPem + leaf.certPem);
    const fromFile = await readSeenCertificate(target(leaf.der, [{ type: 'certificate-files', location: `web-01:${file}#1` }]), AbortSignal.timeout(10_000));
    expect(fromFile.found?.der.equals(leaf.der)).toBe(true);

    const port = await servers.tls('127.0.0.1', 0, {
      SNICallback: (name, cb) => cb(null, tls.createSecureContext(name === 'ledger.keyring.test' ? { cert: leaf.certPem + pki.intermediate.certPem, key: leaf.keyPem } : { cert: other.certPem, key: other.keyPem })),
      cert: other.certPem,
      key: other.keyPem,
    });
    const bySni = await readSeenCertificate(
      target(leaf.der, [{ type: 'tls', location: `127.0.0.1:${port}`, details: { serverName: 'ledger.keyring.test' } }]),
      AbortSignal.timeout(10_000),
    );
    expect(bySni.found).toMatchObject({ sourceId: 'tls', location: `127.0.0.1:${port}` });
    expect(bySni.found?.der.equals(leaf.der)).toBe(true);
    // without the SNI name the endpoint serves another certificate: not found, and said so
    const noSni = await readSeenCertificate(target(leaf.der, [{ type: 'tls', location: `127.0.0.1:${port}` }]), AbortSignal.timeout(10_000));
    expect(noSni.found).toBeUndefined();
    expect(noSni.problems).toEqual([`127.0.0.1:${port} serves other certificates now`]);
  });

  it('finds nothing (and says why per place) once the certificate is replaced, removed or no longer served', async () => {
    const pki = await makeTestPki();
    const leaf = await makeCertificate({ subject: 'CN=gone.keyring.test', issuer: pki.intermediate });
    const renewed = await makeCertificate({ subject: 'CN=gone.keyring.test', issuer: pki.intermediate });
    const file = path.join(dir, 'renewed.pem');
    await fs.writeFile(file, renewed.certPem);
    const closed = await freePort('127.0.0.1');
    const result = await readSeenCertificate(
      target(leaf.der, [
        { type: 'certificate-files', location: `web-01:${file}` },
        { type: 'certificate-files', location: `web-01:${path.join(dir, 'missing.pem')}` },
        { type: 'tls', location: `127.0.0.1:${closed}` },
        { type: 'kubernetes', location: 'demo/ns/Secret/x/tls.crt' },
      ]),
      AbortSignal.timeout(10_000),
    );
    expect(result.found).toBeUndefined();
    expect(result.problems).toHaveLength(3);
    expect(result.problems[0]).toBe(`${file} holds other certificates now`);
    expect(result.problems[1]).toMatch(/missing\.pem: .*ENOENT/);
    expect(result.problems[2]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${closed}: `));
  });
});
