import { findFiles, type FindFilesResult } from '@keyring/plugin-machine-identity-node';

/** A file matched by a configured glob, with the glob's static root. */
export interface FoundKeyFile {
  path: string;
  root: string;
}

/** What {@link findKeyFiles} found, and the folders it listed completely. */
export interface FoundKeyFiles {
  files: FoundKeyFile[];
  /** Outermost folders listed completely (ending in `/`). */
  completeFolders: string[];
  /** Literal paths absent from a readable folder. */
  absentFiles: string[];
}

/**
 * Expands `ssh-files` globs without following symbolic links. Folders that
 * cannot be read are passed to `onUnreadable` (they make the scan's view
 * incomplete) instead of being silently skipped or failing the whole glob;
 * other problems (special files, an empty root) go to `onProblem`.
 */
export async function findKeyFiles(
  patterns: string[],
  onUnreadable: (path: string, error: string) => void,
  onProblem: (problem: FindFilesResult['problems'][number]) => void = () => {},
  signal?: AbortSignal,
): Promise<FoundKeyFiles> {
  const found = await findFiles(patterns, { followLinks: false, signal });
  for (const { path, error } of found.unreadable) onUnreadable(path, error);
  for (const problem of found.problems) onProblem(problem);
  return { files: found.files, completeFolders: found.completeFolders, absentFiles: found.absentFiles };
}
