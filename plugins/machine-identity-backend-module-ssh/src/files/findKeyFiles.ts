import fs from 'node:fs';
import fg from 'fast-glob';

/** A file matched by a configured glob, with the glob's static root. */
export interface FoundKeyFile {
  path: string;
  root: string;
}

/**
 * Expands `ssh-files` globs. Directories that cannot be read are passed to
 * `onUnreadable` (they make the scan's view incomplete) instead of being
 * silently skipped or failing the whole glob.
 */
export async function findKeyFiles(
  patterns: string[],
  onUnreadable: (path: string, error: NodeJS.ErrnoException) => void,
): Promise<FoundKeyFile[]> {
  const readdir = ((path: string, options: any, callback: any) =>
    fs.readdir(path, options, (error, entries) => {
      if (error) {
        onUnreadable(path, error);
        callback(null, []);
      } else {
        callback(null, entries);
      }
    })) as unknown as typeof fs.readdir;
  const seen = new Set<string>();
  const found: FoundKeyFile[] = [];
  for (const task of fg.generateTasks(patterns)) {
    const paths = await fg(task.patterns, {
      absolute: true,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      unique: true,
      fs: { readdir },
    });
    paths.sort();
    for (const path of paths) {
      if (!seen.has(path)) {
        seen.add(path);
        found.push({ path, root: task.base });
      }
    }
  }
  return found;
}
