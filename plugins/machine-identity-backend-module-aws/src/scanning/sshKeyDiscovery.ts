import { createHash } from 'node:crypto';
import type { SSHPublicKey } from '@aws-sdk/client-iam';
import type { MachineIdentityDiscovery, OwnerHint } from '@keyring/plugin-machine-identity-node';
import type { AccountScan } from './AccountScan';

const ALGORITHMS: Record<string, string> = {
  'ssh-ed25519': 'ed25519',
  'ssh-rsa': 'rsa',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'ecdsa-sha2-nistp384': 'ecdsa',
  'ecdsa-sha2-nistp521': 'ecdsa',
};

/**
 * An IAM SSH public key (CodeCommit) as an `ssh-key` discovery, fingerprinted
 * like the SSH module does (SHA-256 of the key blob), so the same key found in
 * an authorized_keys file is the same identity. A body that is not an
 * OpenSSH public key is a problem that leaves `family` (the user's SSH keys)
 * uncovered: AWS still holds the key, so an unreadable answer is no evidence
 * that it is gone.
 */
export function sshKeyDiscovery(
  scan: AccountScan,
  family: string,
  key: SSHPublicKey,
  hint: OwnerHint | undefined,
): MachineIdentityDiscovery | undefined {
  const location = scan.location(family, key.SSHPublicKeyId ?? '');
  const [type, base64, ...comment] = (key.SSHPublicKeyBody ?? '').trim().split(/\s+/);
  const blob = base64 ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  const declared = blob.length > 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : '';
  if (!type || declared !== type) {
    scan.fail(family, location, `Skipped IAM SSH public key ${key.SSHPublicKeyId} of user ${key.UserName ?? 'unknown'}: its body is not an OpenSSH public key`);
    return undefined;
  }
  const openSsh = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return {
    type: 'ssh-key',
    fingerprintSha256: createHash('sha256').update(blob).digest('hex'),
    displayName: comment.length ? comment.join(' ') : `${type} ${openSsh} (${key.UserName})`,
    attributes: {
      sshKeyType: type,
      keyAlgorithm: ALGORITHMS[type] ?? type,
      comment: comment.length ? comment.join(' ') : undefined,
      extra: { openSshFingerprint: openSsh, sshPublicKeyId: key.SSHPublicKeyId ?? '', userName: key.UserName ?? '', status: key.Status ?? 'Unknown' },
    },
    location,
    details: { accountId: scan.account.accountId, userName: key.UserName, sshPublicKeyId: key.SSHPublicKeyId, status: key.Status },
    firstSeenEvidence: key.UploadDate?.toISOString(),
    ownerHint: hint,
    links: { awsIamUsers: key.UserName ? [key.UserName] : undefined },
  };
}
