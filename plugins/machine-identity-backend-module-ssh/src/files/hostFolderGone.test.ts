import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { generateKey, tempDir } from '../testing/sshTestUtils';
import { startSshBackend } from '../testing/startSshBackend';

/**
 * Retirement by host scope: a fleet tree `<root>/<host>/home/<account>/.ssh`
 * whose readable root no longer holds a host's folder is positive evidence
 * that the host's keys are gone, though no file of that host was seen.
 */
describe('ssh-files: a host folder gone from a readable fleet folder', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(databases.eachSupportedId())(
    'retires the keys of that host in a succeeded run and keeps every other host’s (%p)',
    async databaseId => {
      const fleet = join(dir, 'fleet');
      const keys = join(dir, 'keys');
      for (const host of ['web-1', 'db-1']) {
        const key = generateKey(keys, host, 'ed25519', { comment: `${host}-deploy` });
        mkdirSync(join(fleet, host, 'home/deploy/.ssh'), { recursive: true });
        writeFileSync(join(fleet, host, 'home/deploy/.ssh/authorized_keys'), `${key.line}\n`);
      }
      const knex = await databases.init(databaseId);
      // Half of the source goes: the share guard would hold it, and is not under test here.
      const { backend, http, auth, scan: scanSource } = await startSshBackend(knex, {
        retirement: { maxShare: 1 },
        sources: [{ id: 'fleet-keys', type: 'ssh-files', paths: [`${fleet}/**/authorized_keys`] }],
      });
      const scan = () => scanSource('fleet-keys');
      const states = async () => {
        const list = await http.get('/api/machine-identity/identities?type=ssh-key&limit=50').set('Authorization', auth);
        expect(list.status).toBe(200);
        return Object.fromEntries(list.body.items.map((i: any) => [i.comment, i.state]));
      };
      try {
        expect(await scan()).toMatchObject({ status: 'succeeded', added: 2 });
        expect(await states()).toEqual({ 'web-1-deploy': 'active', 'db-1-deploy': 'active' });

        rmSync(join(fleet, 'db-1'), { recursive: true });
        const second = await scan();
        expect(second).toMatchObject({ status: 'succeeded', retired: 1 });
        expect(await states()).toEqual({ 'web-1-deploy': 'active', 'db-1-deploy': 'gone' });

        // The whole fleet folder unmounted is no evidence: the remaining host is kept.
        rmSync(fleet, { recursive: true });
        const third = await scan();
        expect(third.status).toBe('partial');
        expect(await states()).toEqual({ 'web-1-deploy': 'active', 'db-1-deploy': 'gone' });
      } finally {
        await backend.stop();
      }
    },
  );
});
