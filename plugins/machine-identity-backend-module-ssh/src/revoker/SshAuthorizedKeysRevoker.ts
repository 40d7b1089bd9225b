import type {
  MachineIdentityRevoker,
  RevocationOutcome,
  RevocationTarget,
  RevokerContext,
} from '@keyring/plugin-machine-identity-node';
import { SSH_FILES_SOURCE_TYPE } from '../files/SshFilesScanner';
import {
  commitKeyLineRemoval,
  discardKeyLineRemoval,
  type KeyLineRemoval,
  prepareKeyLineRemoval,
  restoreKeyLineRemoval,
} from './removeKeyLines';

type TargetObservation = RevocationTarget['observations'][number];

function authorizedKeysFile(o: TargetObservation): { file: string; line: number } | undefined {
  const { file, line, format } = (o.details ?? {}) as { file?: unknown; line?: unknown; format?: unknown };
  if (o.source?.type !== SSH_FILES_SOURCE_TYPE || format !== 'authorized_keys') return undefined;
  if (typeof file !== 'string' || typeof line !== 'number') return undefined;
  return { file, line };
}

/**
 * Revokes an SSH key by removing its lines from the authorized_keys files an
 * `ssh-files` scan found it in: each file is checked against the scan
 * (unchanged since, key still on the recorded lines), rewritten to a
 * temporary file and renamed over the original, with a backup beside it.
 * Every file is checked before any is replaced; a failure restores those
 * already replaced, so the credential stays where it was.
 */
export class SshAuthorizedKeysRevoker implements MachineIdentityRevoker {
  readonly id = 'ssh-authorized-keys';

  static create(): SshAuthorizedKeysRevoker {
    return new SshAuthorizedKeysRevoker();
  }

  /** Only SSH keys seen exclusively in authorized_keys files of `ssh-files` sources (anything else needs a person). */
  canRevoke(target: RevocationTarget): boolean {
    return (
      target.identity.type === 'ssh-key' &&
      target.observations.length > 0 &&
      target.observations.every(o => authorizedKeysFile(o) !== undefined)
    );
  }

  async revoke(target: RevocationTarget, context: RevokerContext): Promise<RevocationOutcome> {
    const byFile = new Map<string, { lines: number[]; scannedAt: string }>();
    for (const o of target.observations) {
      const at = authorizedKeysFile(o)!;
      const entry = byFile.get(at.file) ?? { lines: [], scannedAt: o.lastSeen };
      entry.lines.push(at.line);
      if (o.lastSeen < entry.scannedAt) entry.scannedAt = o.lastSeen;
      byFile.set(at.file, entry);
    }
    const tag = target.requestId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64);
    const plans: KeyLineRemoval[] = [];
    try {
      for (const [file, { lines, scannedAt }] of byFile) {
        context.signal.throwIfAborted();
        plans.push(
          await prepareKeyLineRemoval({ file, fingerprintSha256: target.identity.fingerprintSha256, expectedLines: lines, scannedAt, tag }),
        );
      }
    } catch (error) {
      for (const plan of plans) await discardKeyLineRemoval(plan);
      throw error;
    }
    const committed: KeyLineRemoval[] = [];
    try {
      for (const plan of plans) {
        await commitKeyLineRemoval(plan);
        committed.push(plan);
      }
    } catch (error) {
      for (const plan of committed.reverse()) await restoreKeyLineRemoval(plan);
      for (const plan of plans) await discardKeyLineRemoval(plan);
      throw error;
    }
    const files = plans.map(p => `${p.file} (line ${p.lines.join(', ')})`);
    context.logger.info(`Removed SSH key ${target.identity.fingerprintSha256.slice(0, 16)}… from ${files.join('; ')}`);
    return {
      outcome: 'executed',
      message: `Removed the key from ${plans.length} authorized_keys file(s): ${files.join('; ')}; backups kept beside them`,
      details: { files: plans.map(p => ({ file: p.file, lines: p.lines, backup: p.backupPath })) },
    };
  }
}
