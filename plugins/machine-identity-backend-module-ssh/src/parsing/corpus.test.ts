import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { SshFilesScanner } from '../files/SshFilesScanner';
import { runScanner } from '../testing/sshTestUtils';
import { classifySshKeyFileHead, HEAD_BYTES, parseSshKeyFileText, sshKeyFileFormat } from './parseSshKeyFile';
import type { SshKeyEntry } from './parseSshKeyLine';

const CORPORA = resolve(__dirname, '../../../../../shared/corpora');

interface GroundTruthKey {
  bits: number;
  sha256: string;
  comment: string;
  keyType: string;
}
interface GroundTruth extends Partial<GroundTruthKey> {
  file: string;
  line: number | null;
  parseable: boolean;
  keys?: GroundTruthKey[];
}

const records: GroundTruth[] = readFileSync(join(CORPORA, 'ground-truth-ssh.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map(line => JSON.parse(line));
const files = [...new Set(records.map(r => r.file))];

/** The fields ssh-keygen -l reports, from our parse (its "no comment" for none). */
function asKeygen(entry: SshKeyEntry): GroundTruthKey {
  return {
    bits: entry.key.keySize,
    sha256: entry.key.openSshFingerprint,
    comment: entry.comment ?? 'no comment',
    keyType: entry.key.label,
  };
}

function pick(gt: GroundTruthKey): GroundTruthKey {
  return { bits: gt.bits, sha256: gt.sha256, comment: gt.comment, keyType: gt.keyType };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

describe('external SSH corpus (ssh-keygen ground truth)', () => {
  it('matches every field ssh-keygen reports for every public key, authorized_keys and known_hosts file', () => {
    let compared = 0;
    let privateSkipped = 0;
    for (const file of files) {
      const content = readFileSync(join(CORPORA, file));
      const head = classifySshKeyFileHead(content.subarray(0, HEAD_BYTES));
      const fileRecord = records.find(r => r.file === file && r.line === null)!;
      const lineRecords = records.filter(r => r.file === file && r.line !== null);
      if (head === 'private-key') {
        // Private keys are never parsed: ssh-keygen derives their public half, Keyring skips them.
        privateSkipped++;
        continue;
      }
      if (head !== 'text') {
        expect(fileRecord.parseable, `${file} is ${head} but ssh-keygen read it`).toBe(false);
        continue;
      }
      const parsed = parseSshKeyFileText(content.toString('utf8'), sshKeyFileFormat(file));
      const byLine = new Map(parsed.entries.map(e => [e.line, e.entry]));
      if (lineRecords.length === 0) {
        // A one-key file: the file record is the truth.
        if (fileRecord.parseable) {
          expect(parsed.entries.map(e => asKeygen(e.entry)), file).toEqual(fileRecord.keys!.map(pick));
          compared++;
        } else {
          expect(parsed.entries, `${file}: ssh-keygen rejects it`).toEqual([]);
          expect(parsed.errors.length, `${file}: rejection reported`).toBeGreaterThan(0);
        }
        continue;
      }
      for (const record of lineRecords) {
        const entry = byLine.get(record.line!);
        if (record.parseable) {
          expect(entry && asKeygen(entry), `${file}:${record.line}`).toEqual(pick(record as GroundTruthKey));
          compared++;
        } else if (entry) {
          // ssh-keygen -lf cannot read a single marker line; OpenSSH's known_hosts reader can.
          expect(['@cert-authority', '@revoked'], `${file}:${record.line}`).toContain(entry.marker);
        } else {
          expect(parsed.errors.map(e => e.line), `${file}:${record.line} reported`).toContain(record.line);
        }
      }
      if (fileRecord.parseable) {
        // ssh-keygen -lf over the whole file skips marker lines (and reads `@what` as a host).
        const unmarked = parsed.entries.filter(e => !e.entry.marker || e.entry.ignoredReason);
        expect(unmarked.map(e => asKeygen(e.entry)), file).toEqual(fileRecord.keys!.map(pick));
      }
    }
    // 104 = parseable ground-truth records of non-private files (per line where a file has several).
    expect(compared).toBe(104);
    expect(privateSkipped).toBeGreaterThan(50);
  });

  it('maps the hashed, marked and invalid known_hosts lines', () => {
    const text = readFileSync(join(CORPORA, 'openssh-portable/hostkeys-testdata/known_hosts'), 'utf8');
    const parsed = parseSshKeyFileText(text, 'known_hosts');
    const at = (line: number) => parsed.entries.find(e => e.line === line)?.entry;
    expect(at(17)).toMatchObject({ hashedHosts: true, hostPatterns: ['|1|B7t/AYabn8zgwU47Cb4A/Nqt3eI=|arQPZyRphkzisr7w6wwikvhaOyE='] });
    expect(at(7)?.hostPatterns).toEqual(['prometheus.example.com', '192.0.2.1', '2001:db8::1']);
    expect(at(33)).toMatchObject({ marker: '@revoked', hostPatterns: ['sisyphus.example.com'], comment: 'ED25519 #4' });
    expect(at(34)).toMatchObject({ marker: '@cert-authority', hostPatterns: ['prometheus.example.com'] });
    expect(at(37)?.ignoredReason).toMatch(/unknown marker @what/);
    expect(parsed.errors.map(e => e.line)).toEqual([38, 39, 40, 41, 42]);
    expect(parsed.errors.find(e => e.line === 42)?.message).toMatch(/does not match/);
    // Lines 21-23 are one key under three hashed names: one fingerprint.
    expect(new Set([21, 22, 23].map(l => at(l)?.key.fingerprintSha256)).size).toBe(1);
  });

  it('reads the sshd(8) authorized_keys examples option by option', () => {
    const text = readFileSync(join(CORPORA, 'openssh-portable/sshd8-man-examples/authorized_keys.example'), 'utf8');
    // The examples' keys are placeholders ("ssh-rsa ..."): substitute a real key to read the options.
    const realKey = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/rsa_1.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const ecKey = readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ecdsa_sk1.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const fixed = text.replace(/ssh-rsa \.\.\./g, realKey).replace(/sk-ecdsa-sha2-nistp256@openssh.com \.\.\./g, ecKey);
    const parsed = parseSshKeyFileText(fixed, 'authorized_keys');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map(e => e.entry.options)).toEqual([
      undefined,
      [{ name: 'restrict' }, { name: 'command', value: 'dump /home' }],
      [{ name: 'permitopen', value: '192.0.2.1:80' }, { name: 'permitopen', value: '192.0.2.2:25' }],
      [{ name: 'permitlisten', value: 'localhost:8080' }, { name: 'permitlisten', value: '[::1]:22000' }],
      [{ name: 'tunnel', value: '0' }, { name: 'command', value: 'sh /etc/netstart tun0' }],
      [{ name: 'restrict' }, { name: 'pty' }, { name: 'command', value: 'nethack' }],
      [{ name: 'no-touch-required' }],
      [{ name: 'verify-required' }],
      [{ name: 'cert-authority' }, { name: 'no-touch-required' }, { name: 'principals', value: 'user_a' }],
    ]);
    expect(parsed.entries[6].entry.key.label).toBe('ECDSA-SK');
  });

  it('never crashes on any corpus file, in either layout', () => {
    let lines = 0;
    for (const path of walk(CORPORA)) {
      const text = readFileSync(path, 'utf8');
      for (const format of ['authorized_keys', 'known_hosts'] as const) {
        const parsed = parseSshKeyFileText(text, format);
        lines += parsed.entries.length + parsed.errors.length;
      }
    }
    expect(lines).toBeGreaterThan(1000);
  });

  it('scans the SSH corpora end to end, skipping every private key file unread', async () => {
    const outcome = await runScanner(SshFilesScanner.create({ localHostname: 'corpus' }), {
      type: 'ssh-files',
      paths: [`${CORPORA}/openssh-portable/**`, `${CORPORA}/node-sshpk/**`],
    });
    const privateSkips = outcome.problems.filter(p => p.message === 'private key file skipped');
    const privateFiles = files.filter(
      f => classifySshKeyFileHead(readFileSync(join(CORPORA, f)).subarray(0, HEAD_BYTES)) === 'private-key',
    );
    expect(privateSkips.map(p => relative(CORPORA, p.location!)).sort()).toEqual(expect.arrayContaining(privateFiles.sort()));
    expect(outcome.problems.every(p => p.incomplete === false)).toBe(true);
    // Every discovery comes from a non-private file.
    for (const d of outcome.discoveries) {
      expect(privateFiles).not.toContain(relative(CORPORA, (d.details!.file as string)));
    }
    // The same key in .pub and -cert.pub files is one identity seen twice.
    const rsa1 = outcome.discoveries.filter(d => d.attributes.extra?.openSshFingerprint === 'SHA256:l6itGumSMcRBBAFteCgmjQBIXqLK/jFGUH3viHX1RmE');
    expect(rsa1.length).toBeGreaterThanOrEqual(6);
    expect(new Set(rsa1.map(d => d.fingerprintSha256)).size).toBe(1);
  });
});
