import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, runScanner, tempDir } from '../testing/sshTestUtils';
import { SshFilesScanner } from './SshFilesScanner';

describe('SshFilesScanner evidence: what it reports as covered', () => {
  let dir: string;
  let line: string;

  beforeAll(() => {
    dir = tempDir();
    line = generateKey(join(dir, 'keys'), 'k', 'ed25519', { comment: 'k' }).line;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers each key list read completely and the folder listed completely, for each host seen', async () => {
    const fleet = join(dir, 'fleet');
    const alice = join(fleet, 'web-1/home/alice/.ssh/authorized_keys');
    mkdirSync(join(alice, '..'), { recursive: true });
    writeFileSync(alice, `${line}\nnot a key line\n`);
    const out = await runScanner(SshFilesScanner.create({ localHostname: 'scanner-host' }), {
      type: 'ssh-files',
      paths: [`${fleet}/**/authorized_keys`],
    });
    expect(out.discoveries.map(d => d.location)).toEqual([`web-1:${alice}:1`]);
    // A malformed line is not a gap: the file was read to its end.
    // The fleet folder names its hosts by path: it is evidence for any host, one whose folder is gone too.
    expect([...out.covered].sort()).toEqual([`*:${fleet}/`, `scanner-host:${fleet}/`, `web-1:${alice}`, `web-1:${fleet}/`].sort());
  });

  it('does not cover a folder of local files for any host: there the host is the scanning machine, not the path', async () => {
    const local = join(dir, 'local');
    const bob = join(local, 'home/bob/.ssh/authorized_keys');
    mkdirSync(join(bob, '..'), { recursive: true });
    writeFileSync(bob, `${line}\n`);
    const out = await runScanner(SshFilesScanner.create({ localHostname: 'scanner-host' }), {
      type: 'ssh-files',
      paths: [`${local}/**/authorized_keys`],
    });
    expect(out.discoveries.map(d => d.location)).toEqual([`scanner-host:${bob}:1`]);
    expect(out.covered.filter(scope => scope.startsWith('*:'))).toEqual([]);
  });

  it('gives a missing root (an unmounted volume) an incomplete problem and no coverage', async () => {
    const missing = join(dir, 'not-mounted');
    const out = await runScanner(SshFilesScanner.create(), { type: 'ssh-files', paths: [`${missing}/**/authorized_keys`] });
    expect(out.covered).toEqual([]);
    expect(out.problems).toEqual([{ location: missing, message: 'Cannot read directory: ENOENT' }]);
  });

  it('does not cover a file above the size limit, nor the folder holding it', async () => {
    const big = join(dir, 'big/authorized_keys');
    mkdirSync(join(big, '..'), { recursive: true });
    writeFileSync(big, 'x'.repeat(1024));
    truncateSync(big, 64 * 1024 * 1024 + 1);
    const out = await runScanner(SshFilesScanner.create({ localHostname: 'h' }), { type: 'ssh-files', paths: [`${join(dir, 'big')}/*`] });
    expect(out.problems).toHaveLength(1);
    expect(out.covered).toEqual([]);
  });
});
