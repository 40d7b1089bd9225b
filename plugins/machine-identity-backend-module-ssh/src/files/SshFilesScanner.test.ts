import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import {
  generateKey,
  runScanner,
  signCertificate,
  sshKeygenFingerprints,
  tempDir,
  type ScanOutcome,
} from '../testing/sshTestUtils';
import { advancePastOptions } from '../parsing/parseAuthorizedKeysOptions';
import { lookupSshKeyType } from '../parsing/sshKeyTypes';
import { MAX_FILE_BYTES, SshFilesScanner } from './SshFilesScanner';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');

/** A fleet tree made with ssh-keygen: /fleet/<host>/home/<account>/.ssh/… */
function buildFleet() {
  const dir = tempDir();
  const keys = join(dir, 'keys');
  const fleet = join(dir, 'fleet');
  const ed = generateKey(keys, 'alice_ed25519', 'ed25519', { comment: 'alice@laptop owner=payments' });
  const shared = generateKey(keys, 'deploy_rsa3072', 'rsa', { bits: 3072, comment: 'deploy@ci' });
  const rsa2048 = generateKey(keys, 'old_rsa2048', 'rsa', { bits: 2048, comment: 'old key' });
  const ec384 = generateKey(keys, 'ec384', 'ecdsa', { bits: 384, comment: 'ec384' });
  const ec521 = generateKey(keys, 'ec521', 'ecdsa', { bits: 521, comment: 'ec521' });
  const ec256 = generateKey(keys, 'ec256', 'ecdsa', { bits: 256 });
  const dsa = generateKey(keys, 'dsa', 'dsa', { comment: 'legacy dsa' });
  const ca = generateKey(keys, 'user_ca', 'ed25519', { comment: 'user-ca' });
  const certified = generateKey(keys, 'bob_cert_key', 'ed25519', { comment: 'bob cert key' });
  const cert = signCertificate(ca.privateKeyPath, certified.publicKeyPath, {
    identity: 'bob@example.test',
    principals: ['bob', 'ops'],
    validity: '20250101000000Z:20350101000000Z',
  });
  const hostKey = generateKey(keys, 'db_host_ed25519', 'ed25519', { comment: 'db-1 host key' });
  const hostCa = generateKey(keys, 'host_ca', 'ecdsa', { comment: 'host-ca' });
  const skLine = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ed25519_sk1.pub'), 'utf8').trim();

  const aliceSsh = join(fleet, 'web-1/home/alice/.ssh');
  const bobSsh = join(fleet, 'web-1/home/bob/.ssh');
  const rootSsh = join(fleet, 'db-1/root/.ssh');
  for (const d of [aliceSsh, bobSsh, rootSsh]) mkdirSync(d, { recursive: true });

  const aliceKeys = join(aliceSsh, 'authorized_keys');
  writeFileSync(
    aliceKeys,
    [
      '# alice on web-1',
      `from="10.0.0.0/8,192.168.1.*",command="echo \\"hi, there\\"",no-pty ${ed.line}`,
      shared.line,
      'ssh-ed25519 AAAA!!!not-base64 broken',
      `restrict,expiry-time="20300101" ${ec384.line}`,
      `cert-authority,principals="alice,ops" ${ca.line}`,
      `  ${rsa2048.line}   `,
      '',
    ].join('\n'),
  );
  const bobKeys = join(bobSsh, 'authorized_keys');
  writeFileSync(
    bobKeys,
    [
      `environment="GREETING=hello world",permitopen="db-1:5432" ${shared.line}`,
      dsa.line,
      ec521.line,
      `no-touch-required ${skLine}`,
      cert.line,
      'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDg4hB4vAZHJ0PVRiJajOv/Gly', // truncated blob
      `command="unterminated ${ec256.line}`,
    ].join('\r\n'),
  );
  const rootKeys = join(rootSsh, 'authorized_keys');
  writeFileSync(rootKeys, [shared.line, `bogus-option ${ec256.line}`].join('\n'));
  // A private key where a glob reaches it: skipped unread.
  writeFileSync(join(rootSsh, 'id_ed25519'), readFileSync(ed.privateKeyPath));
  writeFileSync(join(rootSsh, 'id_ed25519.pub'), `${ed.line}\n`);

  const hostKeyBlob = hostKey.line.split(' ').slice(0, 2).join(' ');
  const aliceKnown = join(aliceSsh, 'known_hosts');
  writeFileSync(
    aliceKnown,
    [
      `[db-1.example.test]:2222,10.0.0.5 ${hostKeyBlob} db-1`,
      `@cert-authority *.example.test ${hostCa.line}`,
      `@revoked old.example.test ${rsa2048.line}`,
      'db-2.example.test ssh-ed25519',
    ].join('\n'),
  );
  const bobKnown = join(bobSsh, 'known_hosts');
  writeFileSync(bobKnown, [`db-1.example.test,10.0.0.5 ${hostKeyBlob}`, `web-2.example.test ${ec256.line}`].join('\n'));
  execFileSync('ssh-keygen', ['-q', '-H', '-f', bobKnown]);
  rmSync(`${bobKnown}.old`);

  const mtime = new Date('2024-03-01T12:00:00Z');
  utimesSync(aliceKeys, mtime, mtime);

  return {
    dir,
    fleet,
    files: { aliceKeys, bobKeys, rootKeys, aliceKnown, bobKnown, rootPrivate: join(rootSsh, 'id_ed25519') },
    keys: { ed, shared, rsa2048, ec384, ec521, ec256, dsa, ca, certified, cert, hostKey, hostCa },
    mtime,
  };
}

/**
 * The comment ssh-keygen -l prints: the key comment, or — when there is none
 * (or it starts with `#`) — the line's leading options or host field, else
 * "no comment".
 */
function keygenComment(comment: string | undefined, rawLine: string): string {
  if (comment && !comment.startsWith('#')) return comment;
  const line = rawLine.replace(/\r$/, '').trimStart();
  const first = line.split(/[ \t]/)[0];
  if (lookupSshKeyType(first)) return 'no comment';
  return line.slice(0, advancePastOptions(line));
}

function openSsh(d: MachineIdentityDiscovery): string {
  return d.attributes.extra!.openSshFingerprint as string;
}

describe('SshFilesScanner', () => {
  let fleet: ReturnType<typeof buildFleet>;
  let outcome: ScanOutcome;
  const inFile = (file: string) =>
    outcome.discoveries.filter(d => d.details!.file === file).sort((a, b) => (a.details!.line as number) - (b.details!.line as number));

  beforeAll(async () => {
    fleet = buildFleet();
    outcome = await runScanner(SshFilesScanner.create({ localHostname: 'scanner-host' }), {
      type: 'ssh-files',
      paths: [`${fleet.fleet}/**/authorized_keys`, `${fleet.fleet}/**/known_hosts`, `${fleet.fleet}/*/root/.ssh/id_*`],
    });
  });
  afterAll(() => rmSync(fleet.dir, { recursive: true, force: true }));

  it('reports what ssh-keygen -lf reports for every generated file', () => {
    for (const file of [fleet.files.aliceKeys, fleet.files.bobKeys, fleet.files.rootKeys, fleet.files.aliceKnown, fleet.files.bobKnown]) {
      const lines = readFileSync(file, 'utf8').split('\n');
      const ours = inFile(file)
        .filter(d => !['@cert-authority', '@revoked'].includes(d.details!.marker as string))
        .map(d => ({
          bits: d.attributes.keySize,
          sha256: openSsh(d),
          comment: keygenComment(d.attributes.comment, lines[(d.details!.line as number) - 1]),
          label: d.attributes.extra!.keyLabel,
        }));
      expect(ours, file).toEqual(sshKeygenFingerprints(file));
    }
  });

  it('gives fingerprints as hex SHA-256 of the key blob, matching the OpenSSH form', () => {
    for (const d of outcome.discoveries) {
      expect(d.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(openSsh(d)).toBe(`SHA256:${Buffer.from(d.fingerprintSha256, 'hex').toString('base64').replace(/=+$/, '')}`);
    }
    const ed = outcome.discoveries.find(d => d.details!.file === fleet.files.aliceKeys && d.details!.line === 2)!;
    const blob = Buffer.from(fleet.keys.ed.line.split(' ')[1], 'base64');
    expect(ed.fingerprintSha256).toBe(createHash('sha256').update(blob).digest('hex'));
  });

  it('records one identity with an observation per account for a shared key', () => {
    const shared = outcome.discoveries.filter(d => d.attributes.comment === 'deploy@ci');
    expect(new Set(shared.map(d => d.fingerprintSha256)).size).toBe(1);
    expect(shared.map(d => d.location).sort()).toEqual(
      [`db-1:${fleet.files.rootKeys}:1`, `web-1:${fleet.files.aliceKeys}:3`, `web-1:${fleet.files.bobKeys}:1`].sort(),
    );
    expect(shared.map(d => `${d.details!.host}/${d.details!.account}`).sort()).toEqual(['db-1/root', 'web-1/alice', 'web-1/bob']);
    expect(shared.map(d => d.links).sort((a, b) => a!.sshAccounts![0].localeCompare(b!.sshAccounts![0]))).toEqual([
      { sshHosts: ['web-1'], sshAccounts: ['alice'] },
      { sshHosts: ['web-1'], sshAccounts: ['bob'] },
      { sshHosts: ['db-1'], sshAccounts: ['root'] },
    ]);
    expect(shared[0].attributes).toMatchObject({ keyAlgorithm: 'rsa', keySize: 3072, sshKeyType: 'ssh-rsa' });
  });

  it('parses authorized_keys options with quoted commas, spaces and escaped quotes', () => {
    const [ed, , ec384, ca] = inFile(fleet.files.aliceKeys);
    expect(ed.details!.options).toEqual([
      { name: 'from', value: '10.0.0.0/8,192.168.1.*' },
      { name: 'command', redacted: true },
      { name: 'no-pty' },
    ]);
    expect(ec384.details!.options).toEqual([{ name: 'restrict' }, { name: 'expiry-time', value: '20300101' }]);
    expect(ec384.attributes).toMatchObject({ keyAlgorithm: 'ecdsa', keySize: 384, curve: 'nistp384', sshKeyType: 'ecdsa-sha2-nistp384' });
    expect(ca.details!.options).toEqual([{ name: 'cert-authority' }, { name: 'principals', value: 'alice,ops' }]);
    const bobShared = inFile(fleet.files.bobKeys)[0];
    expect(bobShared.details!.options).toEqual([
      { name: 'environment', variable: 'GREETING', redacted: true },
      { name: 'permitopen', value: 'db-1:5432' },
    ]);
  });

  it('reads security keys, DSA and OpenSSH certificates', () => {
    const bob = inFile(fleet.files.bobKeys);
    expect(bob.map(d => d.attributes.sshKeyType)).toEqual([
      'ssh-rsa',
      'ssh-dss',
      'ecdsa-sha2-nistp521',
      'sk-ssh-ed25519@openssh.com',
      'ssh-ed25519-cert-v01@openssh.com',
    ]);
    expect(bob[1].attributes).toMatchObject({ keyAlgorithm: 'dsa', keySize: 1024 });
    expect(bob[3].attributes).toMatchObject({ keyAlgorithm: 'ed25519', keySize: 256, extra: { securityKey: true, application: 'ssh:' } });
    const cert = bob[4];
    const certifiedKey = Buffer.from(fleet.keys.certified.line.split(' ')[1], 'base64');
    expect(cert.fingerprintSha256).toBe(createHash('sha256').update(certifiedKey).digest('hex'));
    expect(cert.attributes).toMatchObject({
      subject: 'bob@example.test',
      serialNumber: '0',
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2035-01-01T00:00:00.000Z',
      issuer: sshKeygenFingerprints(fleet.keys.ca.publicKeyPath)[0].sha256,
      extra: { certificateType: 'user', certificatePrincipals: 'bob,ops', keyLabel: 'ED25519-CERT' },
    });
  });

  it('reports malformed lines with file and line, and keeps the rest of the file', () => {
    const lineProblems = outcome.problems.filter(p => p.location && /:\d+$/.test(p.location));
    expect(lineProblems).toEqual(
      expect.arrayContaining([
        { location: `${fleet.files.aliceKeys}:4`, message: 'key data of ssh-ed25519 is not base64', incomplete: false },
        expect.objectContaining({ location: `${fleet.files.bobKeys}:6`, incomplete: false }),
        { location: `${fleet.files.bobKeys}:7`, message: 'unterminated quote in key options', incomplete: false },
        { location: `${fleet.files.aliceKnown}:4`, message: 'no key data after ssh-ed25519', incomplete: false },
        { location: `${fleet.files.rootKeys}:2`, message: 'unknown option bogus-option: sshd ignores this line', incomplete: false },
      ]),
    );
    expect(inFile(fleet.files.aliceKeys).map(d => d.details!.line)).toEqual([2, 3, 5, 6, 7]);
    expect(outcome.problems.every(p => p.incomplete === false)).toBe(true);
  });

  it('skips a private key file without reading or reporting its content', () => {
    const skip = outcome.problems.filter(p => p.location === fleet.files.rootPrivate);
    expect(skip).toEqual([{ location: fleet.files.rootPrivate, message: 'private key file skipped', incomplete: false }]);
    expect(outcome.discoveries.some(d => d.details!.file === fleet.files.rootPrivate)).toBe(false);
    const secret = readFileSync(fleet.keys.ed.privateKeyPath, 'utf8').split('\n')[2];
    expect(JSON.stringify(outcome)).not.toContain(secret);
    // Its .pub file is an ordinary public key of root on db-1.
    const pub = outcome.discoveries.find(d => d.details!.file === `${fleet.files.rootPrivate}.pub`)!;
    expect(pub.location).toBe(`db-1:${fleet.files.rootPrivate}.pub:1`);
  });

  it('reads known_hosts markers, host lists, [host]:port and hashed names', () => {
    const [plain, ca, revoked] = inFile(fleet.files.aliceKnown);
    expect(plain.details).toMatchObject({ hostPatterns: ['[db-1.example.test]:2222', '10.0.0.5'], hashedHosts: false, host: 'web-1', account: 'alice' });
    expect(plain.links).toEqual({ sshHosts: ['db-1.example.test', '10.0.0.5'] });
    expect(ca.details).toMatchObject({ marker: '@cert-authority', hostPatterns: ['*.example.test'] });
    expect(revoked.details).toMatchObject({ marker: '@revoked', hostPatterns: ['old.example.test'] });
    const hashed = inFile(fleet.files.bobKnown);
    expect(readFileSync(fleet.files.bobKnown, 'utf8')).toMatch(/^\|1\|/);
    // ssh-keygen -H writes one hashed line per host name.
    expect(hashed.map(d => d.details!.hashedHosts)).toEqual([true, true, true]);
    expect(hashed[0].details!.hashedHostCount).toBe(1);
    expect(hashed[0].details!.hostPatterns).toEqual([]);
    expect(hashed[0].links).toEqual({ sshHosts: [] });
    // Keyed by the key blob: the hashed entries are the same identity as the plain one.
    expect(hashed[0].fingerprintSha256).toBe(plain.fingerprintSha256);
    expect(hashed[1].fingerprintSha256).toBe(plain.fingerprintSha256);
  });

  it('uses file mtimes as first-seen evidence and key comments as conservative owner hints', () => {
    const alice = inFile(fleet.files.aliceKeys);
    expect(alice.every(d => d.firstSeenEvidence === fleet.mtime.toISOString())).toBe(true);
    expect(alice[0].ownerHint).toEqual({ owner: 'group:default/payments', via: 'ssh key comment "alice@laptop owner=payments"', fillsGapOnly: true });
    expect(alice[0].displayName).toBe('alice@laptop owner=payments');
    expect(alice[4].attributes.comment).toBe('old key   '); // kept as written, as ssh-keygen -l shows it
    expect(outcome.discoveries.filter(d => d.ownerHint).every(d => d.attributes.comment?.includes('owner='))).toBe(true);
    const noComment = outcome.discoveries.find(d => !d.attributes.comment)!;
    expect(noComment.displayName).toBe(`${noComment.attributes.sshKeyType} ${openSsh(noComment)}`);
  });

  it('takes host and account from a configured pathPattern', async () => {
    const result = await runScanner(SshFilesScanner.create({ localHostname: 'scanner-host' }), {
      type: 'ssh-files',
      paths: [`${fleet.fleet}/web-1/home/*/.ssh/authorized_keys`],
      pathPattern: '/fleet/(?<host>[^/]+)/home/(?<account>[^/]+)/',
    });
    expect(new Set(result.discoveries.map(d => `${d.details!.host}/${d.details!.account}`))).toEqual(new Set(['web-1/alice', 'web-1/bob']));
    const local = await runScanner(SshFilesScanner.create({ localHostname: 'scanner-host' }), {
      type: 'ssh-files',
      paths: [`${fleet.fleet}/web-1/home/*/.ssh/authorized_keys`],
    });
    // Below the glob root the first folder is an account folder: the files are local.
    expect(new Set(local.discoveries.map(d => d.details!.host))).toEqual(new Set(['scanner-host']));
  });

  it('skips a file above the size limit as incomplete instead of reading it', async () => {
    const big = join(fleet.dir, 'big/home/eve/.ssh/authorized_keys');
    mkdirSync(join(big, '..'), { recursive: true });
    writeFileSync(big, '');
    truncateSync(big, MAX_FILE_BYTES + 1); // sparse: no disk used
    const result = await runScanner(SshFilesScanner.create(), { type: 'ssh-files', paths: [big] });
    expect(result.discoveries).toEqual([]);
    expect(result.problems).toEqual([
      { location: big, message: `File of 67,108,865 bytes is larger than 67,108,864, skipped` },
    ]);
  });

  it('rejects an invalid pathPattern', async () => {
    await expect(
      runScanner(SshFilesScanner.create(), { type: 'ssh-files', paths: ['/nonexistent/**/authorized_keys'], pathPattern: '(' }),
    ).rejects.toThrow(/invalid pathPattern/);
  });
});
