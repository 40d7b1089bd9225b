import { makeCertificate, makeTestPki } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { freePort, TestServers } from './__testUtils__/testServers';
import { TlsScanner } from './TlsScanner';
import { HANDSHAKE_WORKERS } from './__testUtils__/handshakeWorkers';

describe('TlsScanner against hostile and broken endpoints', () => {
  const servers = new TestServers();
  let port: number;
  let chainBytes = 0;

  beforeAll(async () => {
    port = await servers.silent('127.0.111.1', 0);
    await servers.garbage('127.0.111.2', port);
    await servers.http('127.0.111.3', port);
    // A chain far past 10 MB: the leaf followed by thousands of copies of its issuer.
    const pki = await makeTestPki('Huge');
    const leaf = await makeCertificate({ subject: 'CN=huge.example.test', issuer: pki.intermediate });
    const copies = Math.ceil((10 * 1024 * 1024) / pki.intermediate.der.length) + 1;
    chainBytes = leaf.der.length + copies * pki.intermediate.der.length;
    await servers.tls('127.0.111.4', port, { key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem.repeat(copies) });
    // Many silent listeners for the timeout bound.
    for (let i = 1; i <= 40; i++) await servers.silent(`127.0.112.${i}`, port);
  }, 120_000);

  afterAll(() => servers.closeAll());

  describe.each(HANDSHAKE_WORKERS)('handshakeWorkers %i', handshakeWorkers => {
    it('turns each hostile endpoint into an incomplete problem on that endpoint, never a crash', async () => {
      expect(chainBytes).toBeGreaterThan(10 * 1024 * 1024);
      const closedPort = await freePort('127.0.111.5');
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [
          `127.0.111.1:${port}`, // accepts, never answers
          `127.0.111.2:${port}`, // garbage bytes
          `127.0.111.3:${port}`, // plaintext HTTP
          `127.0.111.4:${port}`, // > 10 MB certificate chain
          `127.0.111.5:${closedPort}`, // nothing listens (configured explicitly, so it is a gap)
        ],
        connectTimeout: { milliseconds: 1000 },
        handshakeTimeout: { milliseconds: 1500 },
      });
      expect(out.discoveries).toEqual([]);
      const byLocation = Object.fromEntries(out.problems.map(p => [p.location, p]));
      expect(Object.keys(byLocation).sort()).toEqual(
        [`127.0.111.1:${port}`, `127.0.111.2:${port}`, `127.0.111.3:${port}`, `127.0.111.4:${port}`, `127.0.111.5:${closedPort}`].sort(),
      );
      for (const p of out.problems) expect(p.incomplete).toBe(true);
      expect(byLocation[`127.0.111.1:${port}`].message).toMatch(/handshake did not finish within 1500 ms/);
      expect(byLocation[`127.0.111.2:${port}`].message).toMatch(/TLS handshake failed/);
      expect(byLocation[`127.0.111.3:${port}`].message).toMatch(/TLS handshake failed.*(wrong version|packet length|record)/i);
      expect(byLocation[`127.0.111.4:${port}`].message).toMatch(/excessive message size|more than \d+ bytes/i);
      expect(byLocation[`127.0.111.5:${closedPort}`].message).toMatch(/nothing listening \(ECONNREFUSED\)/);
      // All five ran in parallel: the scan takes about one handshake timeout, not five.
      expect(out.elapsedMs).toBeLessThan(4000);
    });

    it('keeps a scan of 40 silent listeners bounded by the handshake timeout and concurrency', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.112.0/26:${port}`],
        concurrency: 16,
        handshakeTimeout: { milliseconds: 300 },
        connectTimeout: { milliseconds: 300 },
      });
      const stuck = out.problems.filter(p => p.incomplete);
      expect(stuck).toHaveLength(40);
      expect(out.problems.find(p => p.incomplete === false)?.message).toBe('24 endpoint(s) of this range had nothing listening');
      // 64 endpoints, 16 at a time, ≤ 300 ms each → about 3 rounds of timeouts.
      expect(out.elapsedMs).toBeGreaterThanOrEqual(600);
      expect(out.elapsedMs).toBeLessThan(2500);
      expect(out.progress.at(-1)).toEqual({ done: 64, total: 64 });
    });

    it('spaces connections when a rate limit is set', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.111.3:${port}`, `127.0.111.2:${port}`, `127.0.111.6:1`, `127.0.111.7:1`, `127.0.111.8:1`, `127.0.111.9:1`],
        rateLimit: 10,
        concurrency: 64,
      });
      expect(out.problems).toHaveLength(6);
      // 6 connections at 10 per second: the last starts ≥ 500 ms after the first.
      expect(out.elapsedMs).toBeGreaterThanOrEqual(480);
    });

    it('stops a scan promptly when the run is aborted', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const out = await runScanner(
        TlsScanner.create(),
        { type: 'tls', handshakeWorkers, targets: [`127.0.112.0/26:${port}`], concurrency: 4, handshakeTimeout: { seconds: 30 } },
        { signal: controller.signal },
      );
      expect(out.elapsedMs).toBeLessThan(2000);
      expect(out.problems.some(p => /scan aborted/.test(p.message))).toBe(true);
    });

    it('refuses a CIDR range larger than a /16 with a clear configuration error', async () => {
      await expect(runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: ['127.0.0.0/8:443'] })).rejects.toThrow(
        /expands to 16,777,216 addresses; the limit is 65,536/,
      );
      await expect(runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers, targets: ['127.0.0.1:99999'] })).rejects.toThrow(/Invalid port/);
    });
  });
});
