import { rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { runScanner, sshKeygenFingerprints, startSshd, tempDir, freePort, type TestSshd } from '../testing/sshTestUtils';
import { SshHostsScanner } from './SshHostsScanner';

async function listen(onConnection: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('SshHostsScanner', () => {
  let dir: string;
  let sshd: TestSshd;

  beforeAll(async () => {
    dir = tempDir();
    sshd = await startSshd(dir, ['ed25519', 'ecdsa', 'rsa']);
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches every host key a real sshd offers, matching ssh-keygen -lf of the key files', async () => {
    const outcome = await runScanner(SshHostsScanner.create(), {
      type: 'ssh-hosts',
      targets: [`127.0.0.1:${sshd.port}`],
    });
    expect(outcome.problems).toEqual([]);
    const expected = sshd.hostKeyPublicPaths.flatMap(p => sshKeygenFingerprints(p)).map(f => `${f.label} ${f.bits} ${f.sha256}`).sort();
    const got = outcome.discoveries
      .map(d => `${d.attributes.extra!.keyLabel} ${d.attributes.keySize} ${d.attributes.extra!.openSshFingerprint}`)
      .sort();
    expect(got).toEqual(expected);
    for (const d of outcome.discoveries) {
      expect(d).toMatchObject({
        type: 'ssh-key',
        location: `127.0.0.1:${sshd.port}`,
        links: { sshHosts: ['127.0.0.1'] },
        details: { host: '127.0.0.1', port: sshd.port, role: 'host-key' },
      });
      expect(d.details!.serverVersion).toMatch(/^SSH-2\.0-OpenSSH_/);
      expect(d.details!.offeredAlgorithms).toEqual(expect.arrayContaining(['ssh-ed25519', 'ecdsa-sha2-nistp256']));
    }
    expect(outcome.discoveries.map(d => d.attributes.sshKeyType).sort()).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']);
    expect(outcome.logs.join('\n')).toMatch(/Fetched 3 SSH host keys from 1 of 1 endpoints \(0 closed\)/);
    // Disconnected before authentication: sshd saw no user and no auth method.
    expect(sshd.log()).toMatch(/\[preauth\]/);
    expect(sshd.log()).not.toMatch(/Invalid user|Failed |Accepted |authenticating user/);
  });

  it('treats closed ports in a range sweep as empty, but an unreachable listed endpoint as incomplete', async () => {
    const closedInRange = await freePort();
    const closedListed = await freePort();
    const outcome = await runScanner(SshHostsScanner.create(), {
      type: 'ssh-hosts',
      targets: [`127.0.0.0/30:${sshd.port},${closedInRange}`, `127.0.0.1:${closedListed}`],
      concurrency: 4,
    });
    expect(new Set(outcome.discoveries.map(d => d.location))).toEqual(new Set([`127.0.0.1:${sshd.port}`]));
    expect(outcome.discoveries).toHaveLength(3);
    expect(outcome.problems).toEqual([
      { location: `127.0.0.1:${closedListed}`, message: 'Cannot connect: ECONNREFUSED' },
    ]);
    expect(outcome.logs.join('\n')).toMatch(/from 1 of 9 endpoints \(8 closed\)/);
  });

  it('reports an open port that never finishes the SSH handshake as incomplete, even in a sweep', async () => {
    const silent = await listen(() => {});
    const garbage = await listen(socket => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const started = Date.now();
      const outcome = await runScanner(SshHostsScanner.create(), {
        type: 'ssh-hosts',
        targets: [`127.0.0.1/32:${silent.port}`, `127.0.0.1:${garbage.port}`],
        handshakeTimeout: { seconds: 1 },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(outcome.discoveries).toEqual([]);
      const byLocation = new Map(outcome.problems.map(p => [p.location, p]));
      expect(byLocation.get(`127.0.0.1:${silent.port}`)?.message).toMatch(/SSH key exchange failed: .*[Tt]imed out/);
      expect(byLocation.get(`127.0.0.1:${garbage.port}`)?.message).toMatch(/SSH key exchange failed/);
      // incomplete defaults to true: the run becomes partial.
      expect(outcome.problems.every(p => p.incomplete === undefined)).toBe(true);
    } finally {
      silent.server.close();
      garbage.server.close();
    }
  });

  it('rejects malformed targets and oversized ranges', async () => {
    await expect(runScanner(SshHostsScanner.create(), { type: 'ssh-hosts', targets: ['127.0.0.1:99999'] })).rejects.toThrow(/Invalid port/);
    await expect(runScanner(SshHostsScanner.create(), { type: 'ssh-hosts', targets: ['10.0.0.0/8:22'] })).rejects.toThrow(/more than 65536/);
    await expect(runScanner(SshHostsScanner.create(), { type: 'ssh-hosts', targets: ['127.0.0.300/30'] })).rejects.toThrow(/Invalid CIDR/);
  });
});
