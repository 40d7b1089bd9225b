import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inShard } from '@keyring/plugin-machine-identity-node';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { makeCertificate, makeTestPki } from './__testUtils__/testPki';
import { TestServers } from './__testUtils__/testServers';
import { CertificateFilesScanner } from './CertificateFilesScanner';
import { TlsScanner } from './TlsScanner';

const COUNT = 3;
const shards = Array.from({ length: COUNT }, (_, index) => ({ index, count: COUNT }));
const sorted = (xs: string[]) => [...xs].sort();

describe('scanners of a sharded source', () => {
  const servers = new TestServers();
  let port: number;
  let tmp: string;

  beforeAll(async () => {
    const pki = await makeTestPki();
    const leaf = await makeCertificate({ subject: 'CN=shard.example.test', dnsNames: ['shard.example.test'], issuer: pki.intermediate });
    port = await servers.tls('127.0.112.1', 0, { key: leaf.keyPem, cert: leaf.certPem });
    for (let i = 2; i <= 8; i++) await servers.tls(`127.0.112.${i}`, port, { key: leaf.keyPem, cert: leaf.certPem });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-shards-'));
    for (let i = 0; i < 12; i++) {
      const dir = path.join(tmp, `d${i % 3}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `c${i}.pem`), leaf.certPem);
    }
  }, 60_000);

  afterAll(async () => {
    await servers.closeAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('TLS: the shards of a range together connect to every endpoint once and cover exactly what they scanned', async () => {
    const source = { type: 'tls', targets: [`127.0.112.0/28:${port}`], connectTimeout: { milliseconds: 500 } };
    const whole = await runScanner(TlsScanner.create(), source);
    const parts = await Promise.all(shards.map(shard => runScanner(TlsScanner.create(), source, { shard })));
    const locations = parts.flatMap(p => p.discoveries.map(d => d.location));
    expect(sorted(locations)).toEqual(sorted(whole.discoveries.map(d => d.location)));
    expect(new Set(locations).size).toBe(locations.length);
    expect(whole.discoveries).toHaveLength(8);
    for (const [i, part] of parts.entries()) {
      expect(part.covered.every(scope => inShard(scope, shards[i]))).toBe(true);
      expect(part.progress.at(-1)?.total).toBe(part.progress.at(-1)?.done);
    }
    expect(sorted(parts.flatMap(p => p.covered))).toEqual(sorted(whole.covered));
    expect(parts.filter(p => p.discoveries.length > 0).length).toBeGreaterThan(1);
  });

  it('certificate files: every file is read by exactly one shard; folder coverage is reported once', async () => {
    const source = { type: 'certificate-files', paths: [`${tmp}/**/*.pem`] };
    const whole = await runScanner(CertificateFilesScanner.create({ hostname: 'h' }), source);
    const parts = await Promise.all(shards.map(shard => runScanner(CertificateFilesScanner.create({ hostname: 'h' }), source, { shard })));
    const locations = parts.flatMap(p => p.discoveries.map(d => d.location));
    expect(whole.discoveries).toHaveLength(12);
    expect(sorted(locations)).toEqual(sorted(whole.discoveries.map(d => d.location)));
    expect(new Set(locations).size).toBe(12);
    expect(sorted(parts.flatMap(p => p.covered))).toEqual(sorted(whole.covered));
  });
});
