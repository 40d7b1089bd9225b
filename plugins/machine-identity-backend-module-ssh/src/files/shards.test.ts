import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { inShard, shardOf } from '@keyring/plugin-machine-identity-node';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { generateKey, tempDir } from '../testing/sshTestUtils';
import { startSshBackend } from '../testing/startSshBackend';
import { MAX_FILE_BYTES, SshFilesScanner } from './SshFilesScanner';

const COUNT = 3;
const shards = Array.from({ length: COUNT }, (_, index) => ({ index, count: COUNT }));
const sorted = (xs: string[]) => [...xs].sort();
const HOSTS = Array.from({ length: 12 }, (_, i) => `h${String(i).padStart(2, '0')}`);

/**
 * A collected fleet tree `<fleet>/<host>/home/<account>/.ssh/authorized_keys*`:
 * one key of its own per host, a key shared by the ops accounts of four hosts,
 * a malformed line, a private key saved under a matched name and a literal
 * path absent from a readable folder.
 */
function buildFleet(dir: string) {
  const fleet = join(dir, 'fleet');
  const keys = join(dir, 'keys');
  const shared = generateKey(keys, 'shared', 'ed25519', { comment: 'ops-shared' });
  const file = (host: string, account: string, name = 'authorized_keys') => join(fleet, host, 'home', account, '.ssh', name);
  const write = (path: string, text: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  for (const [i, host] of HOSTS.entries()) {
    const own = generateKey(keys, host, 'ed25519', { comment: `${host}-deploy` });
    write(file(host, 'deploy'), `${own.line}\n${i === 7 ? 'not a key line\n' : ''}`);
    if (i < 4) write(file(host, 'ops'), `${shared.line}\n`);
  }
  const stray = generateKey(keys, 'stray', 'ed25519');
  write(file('h05', 'deploy', 'authorized_keys2'), readFileSync(stray.privateKeyPath, 'utf8'));
  mkdirSync(join(fleet, 'h00/etc/ssh'), { recursive: true });
  const paths = [`${fleet}/**/authorized_keys*`, join(fleet, 'h00/etc/ssh/absent_keys')];
  return { fleet, paths, file };
}

describe('ssh-files scanner of a sharded source', () => {
  let dir: string;
  let fleet: ReturnType<typeof buildFleet>;

  beforeEach(() => {
    dir = tempDir();
    fleet = buildFleet(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the shards together read every file once, find what one shard finds and report each coverage scope once', async () => {
    const source = { type: 'ssh-files', paths: fleet.paths };
    const scanner = SshFilesScanner.create({ localHostname: 'local' });
    const whole = await runScanner(scanner, source);
    const parts = await Promise.all(shards.map(shard => runScanner(scanner, source, { shard })));

    expect(whole.discoveries).toHaveLength(16);
    const locations = parts.flatMap(p => p.discoveries.map(d => d.location));
    expect(sorted(locations)).toEqual(sorted(whole.discoveries.map(d => d.location)));
    expect(new Set(locations).size).toBe(locations.length);
    const byLocation = new Map(whole.discoveries.map(d => [d.location, d]));
    for (const d of parts.flatMap(p => p.discoveries)) expect(d).toEqual(byLocation.get(d.location));
    expect(parts.filter(p => p.discoveries.length > 0).length).toBeGreaterThan(1);

    for (const [i, part] of parts.entries()) {
      // Each shard reads only the files of its shard, and counts only those in its progress.
      expect(part.discoveries.every(d => inShard(String(d.details?.file), shards[i]))).toBe(true);
      expect(part.progress.at(-1)).toEqual({ done: part.progress.at(-1)?.total, total: part.progress.at(-1)?.total });
    }
    expect(parts.reduce((n, p) => n + p.progress.at(-1)!.total!, 0)).toBe(whole.progress.at(-1)!.total);

    // Coverage: the union of the shards' scopes is the unsharded run's, each reported by exactly one shard.
    expect(sorted(parts.flatMap(p => p.covered))).toEqual(sorted(whole.covered));
    expect(whole.covered).toEqual(expect.arrayContaining([`*:${fleet.fleet}/`, `local:${join(fleet.fleet, 'h00/etc/ssh/absent_keys')}`]));
    const problems = (o: typeof whole) => o.problems.map(p => JSON.stringify(p));
    expect(sorted(parts.flatMap(problems))).toEqual(sorted(problems(whole)));
    expect(problems(whole)).toHaveLength(2);
  });

  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'a 3-shard run inventories the fleet once, retires nothing while one shard is partial, then exactly what is gone (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Two of 13 keys go at once: the share guard would hold them, and is not under test here.
      const { backend, http, auth, scan: scanSource } = await startSshBackend(knex, {
        retirement: { maxShare: 0.2 },
        sources: [{ id: 'fleet-keys', type: 'ssh-files', paths: fleet.paths, shards: COUNT }],
      });
      const scan = () => scanSource('fleet-keys');
      const states = async () => {
        const list = await http.get('/api/machine-identity/identities?type=ssh-key&limit=100').set('Authorization', auth);
        expect(list.status).toBe(200);
        return Object.fromEntries(list.body.items.map((i: any) => [i.comment, i.state]));
      };
      const everyKey = Object.fromEntries([...HOSTS.map(h => [`${h}-deploy`, 'active']), ['ops-shared', 'active']]);
      try {
        const first = await scan();
        expect(first).toMatchObject({ status: 'succeeded', added: 13, retired: 0 });
        expect(await states()).toEqual(everyKey);
        const shared = (await http.get('/api/machine-identity/identities?type=ssh-key&limit=100').set('Authorization', auth)).body.items.find(
          (i: any) => i.comment === 'ops-shared',
        );
        expect(shared.observationCount).toBe(4);

        // h03's deploy key is removed, while a file of another shard is too large to read: that shard is partial.
        const removed = fleet.file('h03', 'deploy');
        writeFileSync(removed, '');
        const big = HOSTS.map(h => fleet.file(h, 'deploy', 'authorized_keys3')).find(f => shardOf(f, COUNT) !== shardOf(removed, COUNT))!;
        writeFileSync(big, '');
        truncateSync(big, MAX_FILE_BYTES + 1);
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(await states()).toEqual(everyKey);

        // Every shard complete: h03's key goes, and so do the keys of h10, whose folder left the fleet tree.
        rmSync(big);
        rmSync(join(fleet.fleet, 'h10'), { recursive: true });
        const complete = await scan();
        expect(complete).toMatchObject({ status: 'succeeded', retired: 2 });
        expect(await states()).toEqual({ ...everyKey, 'h03-deploy': 'gone', 'h10-deploy': 'gone' });
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0 });
      } finally {
        await backend.stop();
      }
    },
  );
});
