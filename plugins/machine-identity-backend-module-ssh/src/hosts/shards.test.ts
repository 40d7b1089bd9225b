import { inShard } from '@keyring/plugin-machine-identity-node';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { freePort } from '../testing/sshTestUtils';
import { SshHostsScanner } from './SshHostsScanner';

describe('ssh-hosts scanner of a sharded source', () => {
  it('the shards connect to every host once and cover exactly the hosts they scanned', async () => {
    const port = await freePort();
    const hosts = Array.from({ length: 12 }, (_, i) => `127.0.113.${i + 1}`);
    // nothing listens on `port` of these loopback addresses: every connection is refused, which is evidence
    const source = { type: 'ssh-hosts', targets: hosts.map(h => `${h}:${port}`), connectTimeout: { milliseconds: 500 } };
    const whole = await runScanner(SshHostsScanner.create(), source);
    expect(whole.covered.sort()).toEqual(hosts.map(h => `${h}:${port}`).sort());
    const count = 3;
    const parts = await Promise.all(
      Array.from({ length: count }, (_, index) => runScanner(SshHostsScanner.create(), source, { shard: { index, count } })),
    );
    for (const [index, part] of parts.entries()) {
      expect(part.covered.every(scope => inShard(scope.split(':')[0], { index, count }))).toBe(true);
    }
    const union = parts.flatMap(p => p.covered);
    expect(union.sort()).toEqual([...whole.covered].sort());
    expect(new Set(union).size).toBe(hosts.length);
    expect(parts.filter(p => p.covered.length > 0).length).toBeGreaterThan(1);
  });
});
