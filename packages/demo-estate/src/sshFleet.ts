import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sshpk from 'sshpk';

/** A public key in OpenSSH format with its comment. */
function publicKeyLine(type: 'ed25519' | 'rsa-2048' | 'rsa-3072' | 'ecdsa-p256', comment: string): string {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'ecdsa-p256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: Number(type.slice(4)) });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const key = sshpk.parseKey(pem, 'pem');
  key.comment = comment;
  return key.toString('ssh');
}

/** Where each demo file lives and what it holds. */
export interface DemoFleetLayout {
  root: string;
  files: string[];
}

/**
 * Writes a small fleet of collected SSH files: `<root>/<host>/home/<account>/.ssh/authorized_keys`
 * plus a known_hosts file. Includes a key shared by two accounts, weak RSA,
 * ECDSA, keys with options, a key without a comment and a malformed line.
 */
export async function writeSshFleet(root: string): Promise<DemoFleetLayout> {
  const deploy = publicKeyLine('ed25519', 'deploy@payments-ci');
  const alice = publicKeyLine('ed25519', 'alice@laptop');
  const legacy = publicKeyLine('rsa-2048', 'billing-batch@legacy');
  const ops = publicKeyLine('ecdsa-p256', 'ops@bastion');
  const backup = publicKeyLine('rsa-3072', 'backup@identity');
  const anonymous = publicKeyLine('ed25519', '').trim();
  const hostKey = publicKeyLine('ed25519', '').trim();

  const layout: Record<string, string> = {
    'web-01/home/deploy/.ssh/authorized_keys': `${deploy}\n${alice}\n`,
    'web-02/home/deploy/.ssh/authorized_keys': `# deploy key shared across the web tier\n${deploy}\n`,
    'db-01/home/billing/.ssh/authorized_keys': `${legacy}\nthis line is not a key\n${anonymous}\n`,
    'db-01/home/backup/.ssh/authorized_keys': `from="127.0.0.1",command="/usr/local/bin/backup",no-pty,restrict ${backup}\n`,
    'bastion-01/home/ops/.ssh/authorized_keys': `${ops}\n`,
    'web-01/home/deploy/.ssh/known_hosts': `db-01.internal.example.test,127.0.0.1 ${hostKey.split(' ').slice(0, 2).join(' ')}\n`,
  };
  const files: string[] = [];
  for (const [rel, content] of Object.entries(layout)) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content, { mode: 0o600 });
    files.push(file);
  }
  return { root, files };
}
