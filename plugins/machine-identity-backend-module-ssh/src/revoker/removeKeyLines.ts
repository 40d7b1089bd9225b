import { createHash } from 'node:crypto';
import { chown, copyFile, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConflictError } from '@backstage/errors';
import { parseSshKeyFileText } from '../parsing/parseSshKeyFile';

/** A checked plan to remove one key's lines from one authorized_keys file. */
export interface KeyLineRemoval {
  file: string;
  /** 1-based lines removed. */
  lines: number[];
  /** SHA-256 of the content the plan was made from. */
  contentSha256: string;
  tempPath: string;
  backupPath: string;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Reads `file`, checks it is as the scan saw it and writes the new content
 * to a temporary file beside it (same mode and owner). Refuses with a
 * ConflictError when the file was modified after `scannedAt` or the key is
 * no longer exactly on the lines the scan recorded. Nothing is replaced yet.
 */
export async function prepareKeyLineRemoval(options: {
  file: string;
  fingerprintSha256: string;
  expectedLines: number[];
  scannedAt: string;
  tag: string;
}): Promise<KeyLineRemoval> {
  const { file, fingerprintSha256, tag } = options;
  const before = await stat(file);
  if (before.mtimeMs > Date.parse(options.scannedAt)) {
    throw new ConflictError(
      `${file} was modified at ${before.mtime.toISOString()}, after the scan of ${options.scannedAt}; re-scan it before revoking`,
    );
  }
  const content = await readFile(file);
  const text = content.toString('utf8');
  const parsed = parseSshKeyFileText(text, 'authorized_keys');
  const found = parsed.entries.filter(e => e.entry.key.fingerprintSha256 === fingerprintSha256).map(e => e.line);
  const expected = [...new Set(options.expectedLines)].sort((a, b) => a - b);
  if (found.join(',') !== expected.join(',')) {
    throw new ConflictError(
      `${file} changed since the scan: the key is on line(s) ${found.join(', ') || 'none'}, the scan saw line(s) ${expected.join(', ')}`,
    );
  }
  const removed = new Set(found);
  const kept = text.split('\n').filter((_line, i) => !removed.has(i + 1));
  const tempPath = join(dirname(file), `.${basename(file)}.keyring-${tag}.tmp`);
  const handle = await open(tempPath, 'wx', before.mode & 0o777);
  try {
    await handle.writeFile(kept.join('\n'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chown(tempPath, before.uid, before.gid);
  return {
    file,
    lines: found,
    contentSha256: sha256(content),
    tempPath,
    backupPath: `${file}.keyring-backup-${tag}`,
  };
}

/**
 * Replaces the file by its prepared version: keeps a backup copy, checks
 * once more that the content is what the plan was made from, then renames
 * the temporary file over it (atomic on one filesystem).
 */
export async function commitKeyLineRemoval(plan: KeyLineRemoval): Promise<void> {
  const current = await readFile(plan.file);
  if (sha256(current) !== plan.contentSha256) {
    throw new ConflictError(`${plan.file} changed while the revocation was being prepared`);
  }
  await copyFile(plan.file, plan.backupPath);
  await rename(plan.tempPath, plan.file);
  const dir = await open(dirname(plan.file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Puts a committed file back from its backup (when a later file of the same revocation fails). */
export async function restoreKeyLineRemoval(plan: KeyLineRemoval): Promise<void> {
  const tempRestore = `${plan.tempPath}.restore`;
  await copyFile(plan.backupPath, tempRestore);
  await rename(tempRestore, plan.file);
}

/** Deletes a prepared temporary file that will not be used. */
export async function discardKeyLineRemoval(plan: KeyLineRemoval): Promise<void> {
  await unlink(plan.tempPath).catch(() => undefined);
}
