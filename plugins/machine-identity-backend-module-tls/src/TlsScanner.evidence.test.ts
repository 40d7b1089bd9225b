import { makeCertificate, makeTestPki } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { startStalledListener, type StalledListener } from '@keyring/plugin-machine-identity-node/testUtils';
import { freePort, TestServers } from './__testUtils__/testServers';
import { TlsScanner } from './TlsScanner';
import { HANDSHAKE_WORKERS } from './__testUtils__/handshakeWorkers';

describe('TlsScanner evidence: what it reports as covered', () => {
  const servers = new TestServers();
  let port: number;
  let stalled: StalledListener;

  beforeAll(async () => {
    const pki = await makeTestPki('Evidence');
    const leaf = await makeCertificate({ subject: 'CN=evidence.example.test', issuer: pki.intermediate });
    port = await servers.tls('127.0.113.1', 0, { key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
    stalled = await startStalledListener('127.0.113.2', port);
  }, 60_000);

  afterAll(async () => {
    await stalled?.stop();
    await servers.closeAll();
  });

  describe.each(HANDSHAKE_WORKERS)('handshakeWorkers %i', handshakeWorkers => {
    it('covers an endpoint that served its chain and one that refused, never one whose connect timed out', async () => {
      const refusedPort = await freePort('127.0.113.5');
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.113.1:${port}`, `127.0.113.2:${port}`, `127.0.113.5:${refusedPort}`],
        connectTimeout: { milliseconds: 500 },
        handshakeTimeout: { milliseconds: 1000 },
      });
      expect(out.discoveries.map(d => d.location)).toEqual([`127.0.113.1:${port}`, `127.0.113.1:${port}`]);
      expect([...out.covered].sort()).toEqual([`127.0.113.1:${port}`, `127.0.113.5:${refusedPort}`].sort());
      // Explicitly configured endpoints that gave no chain are gaps, as before.
      expect(out.problems).toEqual(
        expect.arrayContaining([
          { location: `127.0.113.2:${port}`, message: 'connect timed out after 500 ms', incomplete: true },
          { location: `127.0.113.5:${refusedPort}`, message: 'nothing listening (ECONNREFUSED)', incomplete: true },
        ]),
      );
      expect(out.problems).toHaveLength(2);
    });

    it('in a sweep, covers refused and served addresses and stays silent about one that never answers', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.113.0/30:${port}`],
        connectTimeout: { milliseconds: 500 },
      });
      expect([...out.covered].sort()).toEqual([0, 1, 3].map(i => `127.0.113.${i}:${port}`));
      expect(out.problems).toEqual([
        { location: `127.0.113.0/30:${port}`, message: '2 endpoint(s) of this range had nothing listening', incomplete: false },
      ]);
    });

    it('does not cover an endpoint when one of its SNI names gave no answer', async () => {
      const out = await runScanner(TlsScanner.create(), {
        type: 'tls', handshakeWorkers,
        targets: [`127.0.113.1:${port}`, `127.0.113.2:${port}`],
        serverNames: ['a.example.test', 'b.example.test'],
        connectTimeout: { milliseconds: 500 },
      });
      expect(out.covered).toEqual([`127.0.113.1:${port}`]);
    });
  });
});
