import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateKey, tempDir } from '../testing/sshTestUtils';

const REPO = resolve(__dirname, '../../../..');
const CLI = resolve(__dirname, '../testing/scanFilesCli.ts');
const isRoot = process.getuid?.() === 0;

describe('ssh-files scan of unreadable files and directories', () => {
  // Root reads everything: the scan runs as `nobody` (runuser) to meet real EACCES.
  it.skipIf(!isRoot)('reports them as incomplete problems and still reads the rest', () => {
    const dir = tempDir();
    try {
      const key = generateKey(join(dir, 'keys'), 'k', 'ed25519', { comment: 'k' });
      const fleet = join(dir, 'fleet');
      const readable = join(fleet, 'web-1/home/alice/.ssh');
      const lockedFile = join(fleet, 'web-1/home/bob/.ssh');
      const lockedDir = join(fleet, 'db-1/home/carol/.ssh');
      for (const d of [readable, lockedFile, lockedDir]) {
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, 'authorized_keys'), `${key.line}\n`);
      }
      execFileSync('chmod', ['-R', 'a+rX', dir]);
      chmodSync(join(lockedFile, 'authorized_keys'), 0o600);
      chmodSync(lockedDir, 0o700);

      const out = execFileSync(
        'runuser',
        ['-u', 'nobody', '--', 'env', 'HOME=/tmp', process.execPath, '--import', 'tsx', CLI, JSON.stringify({ paths: [`${fleet}/**/authorized_keys`] })],
        { cwd: REPO, encoding: 'utf8' },
      );
      const { locations, problems } = JSON.parse(out);
      expect(locations).toEqual([`web-1:${readable}/authorized_keys:1`]);
      expect(problems).toEqual(
        expect.arrayContaining([
          { location: lockedDir, message: 'Cannot read directory: EACCES' },
          { location: join(lockedFile, 'authorized_keys'), message: 'Cannot read file: EACCES' },
        ]),
      );
      expect(problems).toHaveLength(2);
      // No `incomplete: false`: these make the run partial, so nothing is retired.
      expect(problems.every((p: { incomplete?: boolean }) => p.incomplete === undefined)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
