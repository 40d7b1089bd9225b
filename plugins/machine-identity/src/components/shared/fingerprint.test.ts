import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatHexFingerprint, toOpenSshFingerprint } from './fingerprint';

const corpora = path.resolve(__dirname, '../../../../../../shared/corpora');

describe('toOpenSshFingerprint', () => {
  it.each(['id_ed25519.pub', 'id_ecdsa.pub', 'id_dsa.pub', 'id_ed25519_sk.pub'])(
    'matches ssh-keygen -lf for openssh-portable %s',
    file => {
      const relative = `openssh-portable/fuzz-harness-testdata/${file}`;
      const truth = readFileSync(path.join(corpora, 'ground-truth-ssh.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line))
        .find(entry => entry.file === relative);
      const blob = readFileSync(path.join(corpora, relative), 'utf8').trim().split(/\s+/)[1];
      const hex = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('hex');
      expect(toOpenSshFingerprint(hex)).toBe(truth.sha256);
    },
  );

  it('rejects input that is not a SHA-256 digest', () => {
    expect(toOpenSshFingerprint('abcd')).toBeUndefined();
  });

  it('groups hex in colon-separated pairs', () => {
    expect(formatHexFingerprint('AB01ff')).toBe('ab:01:ff');
  });
});
