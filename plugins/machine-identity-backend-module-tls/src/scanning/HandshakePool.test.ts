import { runScanner, startStalledListener, type StalledListener } from '@keyring/plugin-machine-identity-node/testUtils';
import { makeCertificate, makeTestPki } from '../__testUtils__/testPki';
import { freePort, TestServers } from '../__testUtils__/testServers';
import { TlsScanner } from '../TlsScanner';
import { AbortFanout } from './AbortFanout';
import { HandshakePool } from './HandshakePool';

describe('HandshakePool (TLS handshakes in worker threads)', () => {
  const servers = new TestServers();
  let port: number;
  let silentPort: number;
  let stalled: StalledListener;
  let leafDer: Buffer;
  let intermediateDer: Buffer;

  beforeAll(async () => {
    const pki = await makeTestPki('Pool');
    const leaf = await makeCertificate({ subject: 'CN=pool.example.test', issuer: pki.intermediate });
    leafDer = leaf.der;
    intermediateDer = pki.intermediate.der;
    port = await servers.tls('127.0.115.1', 0, { key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
    silentPort = await servers.silent('127.0.115.2', 0);
    for (let i = 1; i <= 8; i++) await servers.silent(`127.0.116.${i}`, silentPort);
    stalled = await startStalledListener('127.0.115.3');
  }, 60_000);

  afterAll(async () => {
    await stalled?.stop();
    await servers.closeAll();
  });

  const options = { connectTimeoutMs: 500, handshakeTimeoutMs: 30_000 };

  it('reads the chain, and tells refused, never-accepted and silent endpoints apart', async () => {
    const pool = new HandshakePool(2);
    try {
      const refusedPort = await freePort('127.0.115.4');
      const [served, byName, refused, unanswered, silent] = await Promise.all([
        pool.fetch({ host: '127.0.115.1', port, ...options }),
        pool.fetch({ host: 'localhost', port: refusedPort, ...options }),
        pool.fetch({ host: '127.0.115.4', port: refusedPort, ...options }),
        pool.fetch({ host: '127.0.115.3', port: stalled.port, ...options }),
        pool.fetch({ host: '127.0.115.2', port: silentPort, connectTimeoutMs: 500, handshakeTimeoutMs: 300 }),
      ]);
      expect(served).toMatchObject({ ok: true, chain: [leafDer, intermediateDer], tlsVersion: 'TLSv1.3' });
      expect(byName).toEqual({ ok: false, stage: 'refused', message: 'nothing listening (ECONNREFUSED)' });
      expect(refused).toEqual({ ok: false, stage: 'refused', message: 'nothing listening (ECONNREFUSED)' });
      expect(unanswered).toEqual({ ok: false, stage: 'unreachable', message: 'connect timed out after 500 ms' });
      expect(silent).toEqual({ ok: false, stage: 'failed', message: 'TLS handshake did not finish within 300 ms' });
    } finally {
      await pool.close();
    }
    expect(HandshakePool.runningWorkers()).toBe(0);
  });

  it('fails the handshakes of a worker that dies mid-handshake, and replaces it', async () => {
    const pool = new HandshakePool(1);
    try {
      const stuck = pool.fetch({ host: '127.0.115.2', port: silentPort, ...options });
      await new Promise(resolve => setTimeout(resolve, 200));
      const [worker] = pool.workers();
      await worker.terminate();
      expect(await stuck).toEqual({ ok: false, stage: 'failed', message: 'handshake worker stopped: exit code 1' });
      // The next handshake runs on a new worker.
      expect(await pool.fetch({ host: '127.0.115.1', port, ...options })).toMatchObject({ ok: true, chain: [leafDer, intermediateDer] });
      expect(pool.workers()).toHaveLength(1);
      expect(pool.workers()[0]).not.toBe(worker);
    } finally {
      await pool.close();
    }
  });

  it('cancels handshakes in flight when the shared abort fires', async () => {
    const pool = new HandshakePool(2);
    const controller = new AbortController();
    const aborts = new AbortFanout(controller.signal);
    try {
      const pending = [1, 2, 3, 4].map(i => pool.fetch({ host: `127.0.116.${i}`, port: silentPort, ...options, aborts }));
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      for (const result of await Promise.all(pending)) expect(result).toEqual({ ok: false, stage: 'failed', message: 'scan aborted' });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await pool.fetch({ host: '127.0.115.1', port, ...options, aborts })).toMatchObject({ message: 'scan aborted' });
    } finally {
      await pool.close();
    }
  });

  it('a scan aborted mid-sweep ends promptly and leaves no worker running', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const out = await runScanner(
      TlsScanner.create(),
      { type: 'tls', handshakeWorkers: 2, targets: [`127.0.116.0/28:${silentPort}`], concurrency: 4, handshakeTimeout: { seconds: 30 } },
      { signal: controller.signal },
    );
    expect(out.elapsedMs).toBeLessThan(2000);
    expect(out.problems.some(p => /scan aborted/.test(p.message))).toBe(true);
    expect(HandshakePool.runningWorkers()).toBe(0);
  });

  it('stops its workers when a scan ends normally', async () => {
    const out = await runScanner(TlsScanner.create(), { type: 'tls', handshakeWorkers: 2, targets: [`127.0.115.1:${port}`] });
    expect(out.discoveries).toHaveLength(2);
    expect(HandshakePool.runningWorkers()).toBe(0);
  });
});
