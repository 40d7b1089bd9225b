import { rmSync } from 'node:fs';
import { startStalledListener, type StalledListener } from '@keyring/plugin-machine-identity-node/testUtils';
import { freePort, runScanner, startSshd, tempDir, type TestSshd } from '../testing/sshTestUtils';
import { SshHostsScanner } from './SshHostsScanner';

describe('SshHostsScanner evidence: what it reports as covered', () => {
  let dir: string;
  let sshd: TestSshd;
  let stalled: StalledListener;

  beforeAll(async () => {
    dir = tempDir();
    sshd = await startSshd(dir, ['ed25519']);
    stalled = await startStalledListener('127.0.0.1');
  });
  afterAll(async () => {
    await stalled?.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers an sshd whose key exchanges finished and a refused port, never a connect timeout', async () => {
    const refused = await freePort();
    const outcome = await runScanner(SshHostsScanner.create(), {
      type: 'ssh-hosts',
      targets: [`127.0.0.1:${sshd.port}`, `127.0.0.1:${refused}`, `127.0.0.1:${stalled.port}`],
      connectTimeout: { milliseconds: 500 },
    });
    expect(outcome.discoveries.map(d => d.location)).toEqual([`127.0.0.1:${sshd.port}`]);
    expect([...outcome.covered].sort()).toEqual([`127.0.0.1:${sshd.port}`, `127.0.0.1:${refused}`].sort());
    expect(outcome.problems).toEqual(
      expect.arrayContaining([
        { location: `127.0.0.1:${refused}`, message: 'Cannot connect: ECONNREFUSED' },
        { location: `127.0.0.1:${stalled.port}`, message: 'Cannot connect: connect timed out after 500 ms' },
      ]),
    );
  });

  it('in a sweep, stays silent about an address that never answers and does not cover it', async () => {
    const outcome = await runScanner(SshHostsScanner.create(), {
      type: 'ssh-hosts',
      targets: [`127.0.0.1/32:${stalled.port}`],
      connectTimeout: { milliseconds: 500 },
    });
    expect(outcome.problems).toEqual([]);
    expect(outcome.covered).toEqual([]);
  });
});
