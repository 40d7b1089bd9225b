import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, type TestCertificate } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { CertificateFilesScanner } from './CertificateFilesScanner';

const MIB = 1024 * 1024;

/** Runs `fn` while sampling the event loop; returns its result and the longest stall seen. */
async function withLoopMonitor<T>(fn: () => Promise<T>): Promise<{ result: T; maxStallMs: number }> {
  let last = Date.now();
  let maxStallMs = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await fn();
    return { result, maxStallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('CertificateFilesScanner against hostile files', () => {
  let dir: string;
  let cert: TestCertificate;
  const scan = (paths: string[]) => runScanner(CertificateFilesScanner.create({ hostname: 'h' }), { type: 'certificate-files', paths });

  beforeAll(async () => {
    cert = await makeCertificate({ subject: 'CN=hostile.example.test' });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-hostile-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('bounds symbolic links: a loop and a link to /proc/self/root are not followed, a FIFO is not opened', async () => {
    fs.mkdirSync(path.join(dir, 'certs/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'certs/sub/a.pem'), cert.certPem);
    fs.symlinkSync('..', path.join(dir, 'certs/sub/loop'));
    fs.symlinkSync('/proc/self/root', path.join(dir, 'certs/root'));
    fs.symlinkSync('/proc/self/environ', path.join(dir, 'certs/environ.pem'));
    execFileSync('mkfifo', [path.join(dir, 'certs/pipe.pem')]);
    const started = Date.now();
    const out = await scan([`${dir}/certs/**/*.pem`]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.discoveries.map(d => d.location)).toEqual([`h:${dir}/certs/sub/a.pem`]);
    const byLocation = Object.fromEntries(out.problems.map(p => [p.location, p]));
    expect(byLocation[path.join(dir, 'certs/sub/loop')]).toMatchObject({ message: expect.stringMatching(/already listed/), incomplete: false });
    expect(byLocation[path.join(dir, 'certs/root')]).toMatchObject({ message: expect.stringMatching(/outside/), incomplete: false });
    expect(byLocation[path.join(dir, 'certs/environ.pem')]).toMatchObject({ message: expect.stringMatching(/not followed/), incomplete: false });
    expect(byLocation[path.join(dir, 'certs/pipe.pem')]).toMatchObject({ message: expect.stringMatching(/FIFO/), incomplete: false });
    expect(out.problems).toHaveLength(4);
  });

  it('reads 16 MiB of unterminated BEGIN lines in linear time without stalling the event loop', async () => {
    const line = '-----BEGIN CERTIFICATE-----\n';
    fs.writeFileSync(path.join(dir, 'begins.pem'), line.repeat(Math.floor((16 * MIB) / line.length)));
    const { result, maxStallMs } = await withLoopMonitor(() => scan([path.join(dir, 'begins.pem')]));
    expect(result.discoveries).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.elapsedMs).toBeLessThan(3_000);
    expect(maxStallMs).toBeLessThan(1_000);
  });

  it('reads 16 MiB of certificate blocks while the event loop keeps turning', async () => {
    const copies = Math.floor((16 * MIB) / cert.certPem.length);
    fs.writeFileSync(path.join(dir, 'many.pem'), cert.certPem.repeat(copies));
    const { result, maxStallMs } = await withLoopMonitor(() => scan([path.join(dir, 'many.pem')]));
    expect(result.discoveries).toHaveLength(copies);
    expect(maxStallMs).toBeLessThan(500);
  });

  it('refuses a file over 16 MiB by a bounded read', async () => {
    const big = path.join(dir, 'big.pem');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 16 * MIB + 1);
    const out = await scan([big]);
    expect(out.problems).toEqual([{ location: `h:${big}`, message: expect.stringMatching(/larger than the 16777216 bytes allowed/) }]);
    expect(out.covered).toEqual([]);
  });

  it('drops bidirectional and control characters from subjects and SANs at parse time', async () => {
    const evil = await makeCertificate({ subject: 'CN=pay\u202Egpj.exe\u0007', dnsNames: ['evil\u202E\u2066.example.test'] });
    fs.writeFileSync(path.join(dir, 'evil.pem'), evil.certPem);
    const [d] = (await scan([path.join(dir, 'evil.pem')])).discoveries;
    expect(d.attributes.subject).toBe('CN = paygpj.exe\\07');
    expect(d.displayName).toBe('paygpj.exe');
    expect(d.attributes.sans).toHaveLength(1);
    expect(JSON.stringify(d)).not.toContain('\u202e');
    expect(d.displayName).not.toContain('\u0007');
  });
});
