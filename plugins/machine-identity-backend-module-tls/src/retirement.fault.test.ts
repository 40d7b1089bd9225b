import { TestDatabases } from '@backstage/backend-test-utils';
import { startStalledListener, type StalledListener } from '@keyring/plugin-machine-identity-node/testUtils';
import { createHash } from 'node:crypto';
import { makeCertificate } from './__testUtils__/testPki';
import { TestServers } from './__testUtils__/testServers';
import { startModuleBackend } from './__testUtils__/testBackend';
const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/**
 * Faults with real processes: TLS servers on loopback, then listeners in
 * other processes that never accept and whose accept queue is full (the kernel
 * drops new SYNs, so connects time out), then those processes killed (the
 * kernel refuses). Through the real machine-identity backend and TLS module.
 */
describe('retirement under faults: a TLS sweep whose targets stop answering', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const servers = new TestServers();
  const stalled: StalledListener[] = [];
  afterAll(async () => {
    for (const s of stalled) await s.stop();
    await servers.closeAll();
  });

  it('retires nothing on connect timeouts, and retires what a refusing endpoint served before', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = await makeCertificate({ subject: 'CN=a.fault.example.test' });
    const b = await makeCertificate({ subject: 'CN=b.fault.example.test' });
    const port = await servers.tls('127.0.116.1', 0, { key: a.keyPem, cert: a.certPem });
    await servers.tls('127.0.116.2', port, { key: b.keyPem, cert: b.certPem });

    const { backend, scan: scanSource, get } = await startModuleBackend({
      knex,
      machineIdentity: {
        // Two identities in the source: one retirement is half of it.
        retirement: { maxShare: 1 },
        sources: [
          { id: 'sweep', type: 'tls', targets: [`127.0.116.0/30:${port}`], connectTimeout: { milliseconds: 500 }, handshakeTimeout: { seconds: 2 } },
        ],
      },
    });
    try {
      const scan = () => scanSource('sweep');
      const states = async () => {
        const res = await get('/identities?type=tls-certificate&limit=50');
        expect(res.status).toBe(200);
        return Object.fromEntries(res.body.items.map((i: any) => [i.fingerprintSha256, i.state]));
      };

      expect(await scan()).toMatchObject({ status: 'succeeded', seen: 2 });
      expect(await states()).toEqual({ [sha256(a.der)]: 'active', [sha256(b.der)]: 'active' });

      // A partition: both hosts stop answering (connects time out).
      await servers.closeAll();
      stalled.push(await startStalledListener('127.0.116.1', port), await startStalledListener('127.0.116.2', port));
      const silent = await scan();
      expect(silent).toMatchObject({ seen: 0, retired: 0 });
      expect(silent.status).not.toBe('failed');
      expect(await states()).toEqual({ [sha256(a.der)]: 'active', [sha256(b.der)]: 'active' });

      // Host .1 comes back refusing connections (nothing listens); .2 still never answers.
      await stalled[0].stop();
      const refused = await scan();
      expect(refused).toMatchObject({ seen: 0, retired: 1 });
      expect(await states()).toEqual({ [sha256(a.der)]: 'gone', [sha256(b.der)]: 'active' });
    } finally {
      await backend.stop();
    }
  });
});
