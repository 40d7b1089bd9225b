import { TestDatabases } from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, makeTestPki } from './__testUtils__/testPki';
import { TestServers } from './__testUtils__/testServers';
import { startModuleBackend } from './__testUtils__/testBackend';
const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

describe('machineIdentityModuleTls inside the real machine-identity backend plugin', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const servers = new TestServers();
  let dir: string;
  afterAll(async () => {
    await servers.closeAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scans TLS endpoints and certificate files into the inventory through the REST API', async () => {
    const knex = await databases.init('SQLITE_3');
    const pki = await makeTestPki('Backend');
    const leaf = await makeCertificate({
      subject: 'CN=api.backend.example.test',
      dnsNames: ['api.backend.example.test'],
      issuer: pki.intermediate,
    });
    const port = await servers.tls('127.0.113.10', 0, { key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-backend-'));
    fs.writeFileSync(path.join(dir, 'root.pem'), pki.root.certPem);

    const { backend, scan, get } = await startModuleBackend({
      knex,
      machineIdentity: {
        policies: { tls: { approvedIssuers: [path.join(dir, 'root.pem')] } },
        sources: [
          { id: 'corp-tls', type: 'tls', targets: [`127.0.113.8/29:${port}`], handshakeTimeout: { seconds: 2 } },
          { id: 'cert-store', type: 'certificate-files', paths: [`${dir}/*.pem`] },
        ],
      },
    });
    try {
      const tlsRun = await scan('corp-tls');
      // Closed addresses of the sweep do not make the run partial.
      expect(tlsRun.status).toBe('succeeded');
      const filesRun = await scan('cert-store');
      expect(filesRun.status).toBe('succeeded');

      const res = await get('/identities?type=tls-certificate&limit=50');
      expect(res.status).toBe(200);
      const byFp = new Map<string, any>(res.body.items.map((i: any) => [i.fingerprintSha256, i]));
      expect([...byFp.keys()].sort()).toEqual([sha256(leaf.der), sha256(pki.intermediate.der), sha256(pki.root.der)].sort());
      const stored = byFp.get(sha256(leaf.der));
      expect(stored.displayName).toBe('api.backend.example.test');
      expect(stored.notAfter).toBe(new Date(Math.floor(leaf.cert.notAfter.getTime() / 1000) * 1000).toISOString());
      const detail = await get(`/identities/${stored.id}`);
      expect(detail.body.observations.map((o: any) => o.location)).toEqual([`127.0.113.10:${port}`]);
      expect(detail.body.observations[0].details).toMatchObject({ tlsVersion: 'TLSv1.3', chainPosition: 0 });
    } finally {
      await backend.stop();
    }
  });
});
