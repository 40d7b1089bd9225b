import { chmodSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { SshFilesScanner } from '../files/SshFilesScanner';
import { generateKey, runScanner, sshLoginWorks, startSshd, tempDir, type TestSshd } from '../testing/sshTestUtils';
import { SshAuthorizedKeysRevoker } from './SshAuthorizedKeysRevoker';

const source = { id: 'fleet', type: 'ssh-files', config: new ConfigReader({ id: 'fleet', type: 'ssh-files' }) };
const context = () => ({ logger: mockServices.logger.mock(), signal: new AbortController().signal });

/** Scans `file` with the real scanner and builds the revocation target of the key `line` as the backend would. */
async function targetFor(dir: string, file: string, publicKeyLine: string): Promise<RevocationTarget> {
  const outcome = await runScanner(SshFilesScanner.create({ localHostname: 'web-01' }), { id: 'fleet', type: 'ssh-files', paths: [join(dir, '*authorized_keys')] });
  const blob = publicKeyLine.split(' ')[1];
  const mine = outcome.discoveries.filter(d => {
    const lineText = readFileSync(file, 'utf8').split('\n')[(d.details!.line as number) - 1];
    return lineText.includes(blob);
  });
  expect(mine.length).toBeGreaterThan(0);
  const scannedAt = new Date().toISOString();
  return {
    requestId: 'req-1',
    reason: 'decommissioned',
    identity: { id: 'id-1', type: 'ssh-key', fingerprintSha256: mine[0].fingerprintSha256, displayName: mine[0].displayName } as Identity,
    observations: mine.map(d => ({ sourceId: 'fleet', location: d.location, firstSeen: scannedAt, lastSeen: scannedAt, details: d.details, source })),
  };
}

describe('SshAuthorizedKeysRevoker', () => {
  let dir: string;
  let sshd: TestSshd;
  let file: string;
  let retired: ReturnType<typeof generateKey>;
  let kept: ReturnType<typeof generateKey>;

  beforeEach(async () => {
    dir = tempDir('keyring-revoker-');
    file = join(dir, 'authorized_keys');
    retired = generateKey(dir, 'retired', 'ed25519', { comment: 'payments-old@web-01' });
    kept = generateKey(dir, 'kept', 'ed25519', { comment: 'deploy@web-01' });
    writeFileSync(file, `# fleet keys\n${retired.line}\n${kept.line}\nfrom="127.0.0.1" ${retired.line}\n`);
    chmodSync(file, 0o640);
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    sshd = await startSshd(dir, ['ed25519'], { authorizedKeysFile: file });
  });

  afterEach(async () => {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes every line of the key atomically with a backup, and a real sshd then refuses that key but not the others', async () => {
    expect(sshLoginWorks(sshd.port, retired.privateKeyPath)).toBe(true);
    expect(sshLoginWorks(sshd.port, kept.privateKeyPath)).toBe(true);
    const before = readFileSync(file, 'utf8');
    const inode = statSync(file).ino;
    const revoker = SshAuthorizedKeysRevoker.create();
    const target = await targetFor(dir, file, retired.line);
    expect(target.observations.map(o => o.details!.line)).toEqual([2, 4]);
    expect(revoker.canRevoke(target)).toBe(true);

    const outcome = await revoker.revoke(target, context());

    expect(outcome.outcome).toBe('executed');
    expect(readFileSync(file, 'utf8')).toBe(`# fleet keys\n${kept.line}\n`);
    expect(statSync(file).ino).not.toBe(inode); // replaced by rename, not rewritten in place
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const backup = (outcome.details!.files as Array<{ backup: string }>)[0].backup;
    expect(readFileSync(backup, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter(n => n.endsWith('.tmp'))).toEqual([]);
    expect(sshLoginWorks(sshd.port, retired.privateKeyPath)).toBe(false);
    expect(sshLoginWorks(sshd.port, kept.privateKeyPath)).toBe(true);
  });

  it('refuses and leaves the file untouched when it changed after the scan', async () => {
    const revoker = SshAuthorizedKeysRevoker.create();
    const target = await targetFor(dir, file, retired.line);
    const edited = `${kept.line}\n${readFileSync(file, 'utf8')}`;
    writeFileSync(file, edited);
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000)); // mtime hidden: the line check still catches it

    await expect(revoker.revoke(target, context())).rejects.toThrow(/changed since the scan: the key is on line\(s\) 3, 5, the scan saw line\(s\) 2, 4/);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(readdirSync(dir).filter(n => n.includes('keyring'))).toEqual([]);
    expect(sshLoginWorks(sshd.port, retired.privateKeyPath)).toBe(true);

    writeFileSync(file, edited); // now modified after the scan by mtime
    await expect(revoker.revoke(target, context())).rejects.toThrow(/was modified at .* after the scan/);
    expect(readFileSync(file, 'utf8')).toBe(edited);
  });

  it('leaves SSH keys seen anywhere but authorized_keys files of ssh-files sources to a person', async () => {
    const revoker = SshAuthorizedKeysRevoker.create();
    const target = await targetFor(dir, file, retired.line);
    expect(revoker.canRevoke({ ...target, observations: [...target.observations, { ...target.observations[0], details: { ...target.observations[0].details, format: 'known_hosts' } }] })).toBe(false);
    expect(revoker.canRevoke({ ...target, identity: { ...target.identity, type: 'tls-certificate' } })).toBe(false);
  });
});
