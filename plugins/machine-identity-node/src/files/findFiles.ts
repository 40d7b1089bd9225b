import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ScanProblem } from '../types';

/** A file matched by a configured glob. */
export interface FoundFile {
  /** Absolute path as reached (through symbolic links, not resolved). */
  path: string;
  /** The static folder of the glob that matched it (`/srv/fleet` for `/srv/fleet/**\/authorized_keys`). */
  root: string;
}

/** What {@link findFiles} saw. */
export interface FindFilesResult {
  files: FoundFile[];
  /**
   * Folders listed completely, their whole subtree included, each ending in
   * `/`: the files they hold now are all there is. Outermost folders only.
   */
  completeFolders: string[];
  /** Files named literally by a pattern that are absent from a folder that could be read. */
  absentFiles: string[];
  /** Folders and literal files that could not be read (the view is incomplete), with the error code. */
  unreadable: Array<{ path: string; error: string }>;
  /** Links and special files skipped (not incomplete), an empty root or the entry limit (incomplete). */
  problems: ScanProblem[];
}

/** Options of {@link findFiles}. */
export interface FindFilesOptions {
  /** Follow symbolic links to files and to folders inside the glob's root (default true). */
  followLinks?: boolean;
  /** Deepest folder level below a root that `**` descends to (default 32). */
  maxDepth?: number;
  /** Most directory entries examined in one call (default 1,000,000). */
  maxEntries?: number;
  signal?: AbortSignal;
}

/** Real paths never followed into: kernel and device views, not certificate stores. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

function isForbidden(real: string): boolean {
  return FORBIDDEN_ROOTS.some(r => real === r || real.startsWith(`${r}/`));
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

function errorText(e: unknown): string {
  const error = e as NodeJS.ErrnoException;
  return error.code ?? error.message;
}

interface Walk {
  matcher: (p: string) => boolean;
  root: string;
  realRoot: string;
  maxDepth: number;
  /** The glob has `**`: a folder left unread at the depth limit is a gap. */
  globstar: boolean;
}

/** `folder` and every folder above it. */
function* selfAndAncestors(folder: string): Generator<string> {
  let current = folder;
  while (true) {
    yield current;
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * Expands glob patterns (picomatch syntax, dot files included) by walking the
 * file system itself, so that every gap is known: a folder that cannot be
 * read, a missing root (an unmounted volume) or the entry limit is a problem
 * that makes the view incomplete, never a silent "no files". Symbolic links are
 * bounded: a linked folder is entered only when its real path lies inside the
 * glob's root and was not entered before (no loops, no way out to `/` through
 * `/proc/self/root`), nothing under `/proc`, `/sys` or `/dev` is followed, and
 * FIFOs, sockets and devices are skipped without being opened.
 */
export async function findFiles(patterns: string[], options: FindFilesOptions = {}): Promise<FindFilesResult> {
  const followLinks = options.followLinks ?? true;
  const maxDepth = options.maxDepth ?? 32;
  const maxEntries = options.maxEntries ?? 1_000_000;
  const result: FindFilesResult = { files: [], completeFolders: [], absentFiles: [], unreadable: [], problems: [] };
  const seenFiles = new Set<string>();
  const listed = new Set<string>();
  /** Folders (as reached) below which something was not read. */
  const gaps = new Set<string>();
  let entries = 0;

  const addFile = (file: string, root: string) => {
    if (seenFiles.has(file)) return;
    seenFiles.add(file);
    result.files.push({ path: file, root });
  };
  const gap = (folder: string, problem?: ScanProblem) => {
    gaps.add(folder);
    if (problem) result.problems.push(problem);
  };
  const unreadable = (folder: string, e: unknown) => {
    gaps.add(folder);
    result.unreadable.push({ path: folder, error: errorText(e) });
  };

  const literal = async (file: string) => {
    try {
      const real = await fs.realpath(file);
      const stat = await fs.stat(real);
      if (isForbidden(real)) result.problems.push({ location: file, message: `link to ${real} not followed`, incomplete: false });
      else if (stat.isFile()) addFile(file, path.dirname(file));
      else result.problems.push({ location: file, message: 'not a regular file, skipped', incomplete: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const parent = await fs.stat(path.dirname(file)).catch(() => undefined);
      if (code === 'ENOENT' && parent?.isDirectory()) result.absentFiles.push(file);
      else result.unreadable.push({ path: file, error: errorText(e) });
    }
  };

  const walkFolder = async (walk: Walk, folder: string, depth: number, entered: Set<string>): Promise<void> => {
    if (options.signal?.aborted) return gap(folder);
    let dirents: Dirent[];
    try {
      dirents = await fs.readdir(folder, { withFileTypes: true });
    } catch (e) {
      return unreadable(folder, e);
    }
    if (depth === 0 && dirents.length === 0) {
      // An empty root is what an unmounted volume looks like: no evidence that its files are gone.
      return gap(folder, { location: folder, message: 'folder is empty (is a volume not mounted?)' });
    }
    listed.add(folder);
    entries += dirents.length;
    if (entries > maxEntries) {
      return gap(folder, { location: folder, message: `stopped after ${maxEntries.toLocaleString('en-US')} folder entries` });
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      const full = path.join(folder, dirent.name);
      let stat: Stats | undefined;
      if (dirent.isSymbolicLink()) {
        if (!followLinks) continue;
        const real = await fs.realpath(full).catch(() => undefined);
        stat = real ? await fs.stat(real).catch(() => undefined) : undefined;
        if (!real || !stat) continue; // a dangling link holds nothing
        if (isForbidden(real)) {
          result.problems.push({ location: full, message: `link to ${real} not followed`, incomplete: false });
          gaps.add(folder);
          continue;
        }
        if (stat.isDirectory() && (!isInside(real, walk.realRoot) || entered.has(`${stat.dev}:${stat.ino}`))) {
          result.problems.push({
            location: full,
            message: entered.has(`${stat.dev}:${stat.ino}`)
              ? 'link to a folder already listed (a loop?) not followed'
              : `link to a folder outside ${walk.root} not followed`,
            incomplete: false,
          });
          gaps.add(folder);
          continue;
        }
      }
      const isDirectory = stat ? stat.isDirectory() : dirent.isDirectory();
      const isFile = stat ? stat.isFile() : dirent.isFile();
      if (isDirectory) {
        if (depth + 1 >= walk.maxDepth) {
          if (walk.globstar) gaps.add(folder);
          continue;
        }
        const dirStat = stat ?? (await fs.stat(full).catch(() => undefined));
        const key = dirStat ? `${dirStat.dev}:${dirStat.ino}` : full;
        if (entered.has(key)) continue;
        // Each real folder is entered once, whatever the number of links to it: no loops, no blow-up.
        entered.add(key);
        await walkFolder(walk, full, depth + 1, entered);
      } else if (walk.matcher(full)) {
        if (isFile) addFile(full, walk.root);
        else result.problems.push({ location: full, message: 'not a regular file (FIFO, socket or device), skipped', incomplete: false });
      }
    }
  };

  for (const pattern of patterns) {
    const absolute = path.resolve(pattern);
    const scan = picomatch.scan(absolute);
    if (!scan.isGlob) {
      await literal(absolute);
      continue;
    }
    const root = path.resolve(scan.base || '/');
    let rootStat: Stats;
    let realRoot: string;
    try {
      realRoot = await fs.realpath(root);
      rootStat = await fs.stat(realRoot);
    } catch (e) {
      unreadable(root, e);
      continue;
    }
    if (!rootStat.isDirectory()) {
      gap(root, { location: root, message: 'not a folder' });
      continue;
    }
    const globDepth = scan.glob.includes('**') ? maxDepth : scan.glob.split('/').length;
    const walk: Walk = {
      matcher: picomatch(absolute, { dot: true }),
      root,
      realRoot,
      maxDepth: globDepth,
      globstar: scan.glob.includes('**'),
    };
    await walkFolder(walk, root, 0, new Set([`${rootStat.dev}:${rootStat.ino}`]));
  }

  const tainted = new Set<string>();
  for (const folder of gaps) {
    for (const above of selfAndAncestors(folder)) {
      if (tainted.has(above)) break;
      tainted.add(above);
    }
  }
  const complete = new Set([...listed].filter(folder => !tainted.has(folder)));
  result.completeFolders = [...complete]
    .filter(folder => ![...selfAndAncestors(path.dirname(folder))].some(above => above !== folder && complete.has(above)))
    .map(folder => (folder.endsWith('/') ? folder : `${folder}/`))
    .sort();
  return result;
}
