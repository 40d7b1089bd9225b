import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '@backstage/errors';
import {
  inShard,
  readFileBounded,
  redactSecretMaterial,
  type MachineIdentityDiscovery,
  type MachineIdentityScanner,
  type ScanProblem,
  type ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import {
  classifySshKeyFileHead,
  HEAD_BYTES,
  parseSshKeyFileText,
  sshKeyFileFormat,
} from '../parsing/parseSshKeyFile';
import type { SshKeyEntry } from '../parsing/parseSshKeyLine';
import { redactAuthorizedKeysOptions } from '../parsing/redactAuthorizedKeysOptions';
import { ownerHintFromComment, sshKeyAttributes, sshKeyDisplayName } from '../toDiscovery';
import { findKeyFiles, type FoundKeyFiles } from './findKeyFiles';
import { resolveFileContext, type SshFileContext } from './resolveFileContext';

/** Source type served by {@link SshFilesScanner}. */
export const SSH_FILES_SOURCE_TYPE = 'ssh-files';

/** Largest key list read (64 MiB, about 150,000 RSA-4096 lines); larger files are reported and skipped. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A file refused on its first bytes or size: the problem to report, and whether that counts as read. */
class SkippedFile extends Error {
  constructor(
    readonly problem: ScanProblem,
    readonly read: boolean,
  ) {
    super(problem.message);
  }
}

/** Host names of known_hosts patterns, for Component annotation matching. */
function hostsOfPatterns(patterns: string[] = []): string[] {
  const hosts = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.startsWith('|') || pattern.startsWith('!')) continue;
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(pattern);
    hosts.add(bracketed ? bracketed[1] : pattern);
  }
  return [...hosts];
}

/**
 * Discovers SSH public keys in authorized_keys and known_hosts files (a
 * fleet's collected files or the local host) matched by the source's
 * `paths` globs. One observation per key line at `host:/path:line`.
 *
 * Private key files matched by a glob are recognised from their first
 * bytes and skipped with a problem; their content is never parsed, kept
 * or logged.
 */
export class SshFilesScanner implements MachineIdentityScanner {
  readonly sourceTypes = [SSH_FILES_SOURCE_TYPE] as const;

  private constructor(private readonly localHostname: string) {}

  /** Creates a scanner; `localHostname` names the host of local files. */
  static create(options: { localHostname?: string } = {}): SshFilesScanner {
    return new SshFilesScanner(options.localHostname ?? hostname());
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const { config } = context.source;
    const patterns = config.getStringArray('paths');
    if (patterns.length === 0) {
      throw new InputError(`Source ${context.source.id} has no paths`);
    }
    const patternText = config.getOptionalString('pathPattern');
    let pathPattern: RegExp | undefined;
    if (patternText !== undefined) {
      try {
        pathPattern = new RegExp(patternText);
      } catch (e) {
        throw new InputError(`Source ${context.source.id} has an invalid pathPattern: ${e}`);
      }
    }

    const started = Date.now();
    const found = await findKeyFiles(
      patterns,
      (path, error) => context.reportProblem({ location: path, message: `Cannot read directory: ${error}` }),
      problem => context.reportProblem(problem),
      context.signal,
    );
    // A sharded source's run reads (and covers) only this shard's files, by path; every shard lists the folders.
    const files = found.files.filter(file => inShard(file.path, context.shard));
    // Folder coverage names the hosts of every file found, so the shard owning a folder covers it as an unsharded run does.
    const hosts = new Set([this.localHostname]);
    for (const file of found.files) hosts.add(resolveFileContext(file.path, file.root, this.localHostname, pathPattern).host);
    const unread: string[] = [];
    context.reportProgress({ done: 0, total: files.length });
    let keys = 0;
    let malformed = 0;
    let done = 0;
    for (const file of files) {
      if (context.signal.aborted) {
        context.reportProblem({ message: `Scan aborted after ${done} of ${files.length} files` });
        return;
      }
      const fileContext = resolveFileContext(file.path, file.root, this.localHostname, pathPattern);
      const result = await this.#readFile(file.path, fileContext, context);
      if (result.read) context.reportCovered(`${fileContext.host}:${file.path}`);
      else unread.push(file.path);
      malformed += result.malformed;
      for (const discovery of result.discoveries) {
        keys++;
        yield discovery;
      }
      context.reportProgress({ done: ++done, total: files.length });
    }
    this.#reportFolders(context, found, [...hosts], unread, pathPattern);
    context.logger.info(
      `Read ${keys.toLocaleString('en-US')} SSH keys from ${files.length.toLocaleString('en-US')} files ` +
        `(${malformed} malformed lines skipped) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
  }

  async #readFile(
    path: string,
    fileContext: SshFileContext,
    context: ScannerContext,
  ): Promise<{ discoveries: MachineIdentityDiscovery[]; malformed: number; read: boolean }> {
    let text: string;
    let mtime: Date;
    try {
      const file = await readFileBounded(path, MAX_FILE_BYTES, {
        headBytes: HEAD_BYTES,
        onOpen: (stat, head) => {
          if (stat.size > MAX_FILE_BYTES) {
            const sizes = `${stat.size.toLocaleString('en-US')} bytes is larger than ${MAX_FILE_BYTES.toLocaleString('en-US')}`;
            throw new SkippedFile({ location: path, message: `File of ${sizes}, skipped` }, false);
          }
          const kind = classifySshKeyFileHead(head);
          if (kind === 'private-key') {
            throw new SkippedFile({ location: path, message: 'private key file skipped', incomplete: false }, true);
          }
          if (kind !== 'text') {
            const what = kind === 'pem' ? 'PEM armour' : 'binary data';
            throw new SkippedFile({ location: path, message: `not an OpenSSH key list (${what}), file skipped`, incomplete: false }, true);
          }
        },
      });
      mtime = file.stat.mtime;
      text = file.data.toString('utf8');
    } catch (e) {
      if (e instanceof SkippedFile) {
        context.reportProblem(e.problem);
        // A file recognised as holding no key list is evidence too: no key is there.
        return { discoveries: [], malformed: 0, read: e.read };
      }
      const error = e as NodeJS.ErrnoException;
      context.reportProblem({ location: path, message: `Cannot read file: ${error.code ?? error.message}` });
      return { discoveries: [], malformed: 0, read: false };
    }

    const format = sshKeyFileFormat(path);
    const parsed = parseSshKeyFileText(text, format);
    if (parsed.privateKeyLine !== undefined) {
      context.reportProblem({
        location: `${path}:${parsed.privateKeyLine}`,
        message: 'private key file skipped',
        incomplete: false,
      });
      return { discoveries: [], malformed: 0, read: true };
    }
    for (const error of parsed.errors) {
      context.reportProblem({ location: `${path}:${error.line}`, message: error.message, incomplete: false });
    }
    const firstSeenEvidence = mtime.toISOString();
    const discoveries = parsed.entries.map(({ line, entry }) => {
      if (entry.ignoredReason) {
        context.reportProblem({ location: `${path}:${line}`, message: entry.ignoredReason, incomplete: false });
      }
      return this.#toDiscovery(entry, path, line, format, fileContext, firstSeenEvidence);
    });
    return { discoveries, malformed: parsed.errors.length, read: true };
  }

  /**
   * Covers each folder listed completely, for every host a file of this scan
   * belongs to: locations start with the host, and any location below a
   * complete folder is evidence, whichever host it names. Where the folder
   * names its hosts by path (a fleet tree, `<root>/<host>/…`), the folder is
   * covered for any host (`*:<folder>`): a host whose folder is gone from a
   * readable parent has its keys retired, though none of its files was seen.
   * In a sharded run each absent file and folder is reported by the shard its
   * path belongs to; an unread file of another shard makes that shard, and so
   * the run, partial (nothing is retired).
   */
  #reportFolders(context: ScannerContext, found: FoundKeyFiles, hosts: string[], unread: string[], pathPattern?: RegExp) {
    for (const file of found.absentFiles) {
      if (!inShard(file, context.shard)) continue;
      context.reportCovered(`${resolveFileContext(file, dirname(file), this.localHostname, pathPattern).host}:${file}`);
    }
    const roots = [...new Set(found.files.map(f => f.root))];
    for (const folder of found.completeFolders) {
      if (!inShard(folder, context.shard) || unread.some(file => file.startsWith(folder))) continue;
      for (const host of hosts) context.reportCovered(`${host}:${folder}`);
      if (this.#namesHostsByPath(folder, roots, found, pathPattern)) context.reportCovered(`*:${folder}`);
    }
  }

  /**
   * Whether every file below `folder` takes its host from its path: the
   * folder lies under a glob root, a file one host folder below it would get
   * that folder's name as host, and no file found below it is a local one.
   */
  #namesHostsByPath(folder: string, roots: string[], found: FoundKeyFiles, pathPattern?: RegExp): boolean {
    const root = roots.filter(r => folder.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0];
    if (root === undefined) return false;
    const probe = resolveFileContext(join(folder, 'probe-host', 'authorized_keys'), root, this.localHostname, pathPattern);
    if (probe.host === this.localHostname) return false;
    return found.files.every(
      f => !f.path.startsWith(folder) || resolveFileContext(f.path, f.root, this.localHostname, pathPattern).host !== this.localHostname,
    );
  }

  #toDiscovery(
    entry: SshKeyEntry,
    file: string,
    line: number,
    format: string,
    fileContext: SshFileContext,
    firstSeenEvidence: string,
  ): MachineIdentityDiscovery {
    const { key } = entry;
    // A comment is free text: a token pasted into it is redacted before anything keeps it.
    const comment = entry.comment === undefined ? undefined : redactSecretMaterial(entry.comment);
    const details: Record<string, unknown> = {
      host: fileContext.host,
      account: fileContext.account,
      file,
      line,
      format,
      openSshFingerprint: key.openSshFingerprint,
    };
    if (entry.options) details.options = redactAuthorizedKeysOptions(entry.options);
    if (entry.hostPatterns) {
      details.hostPatterns = entry.hashedHosts ? [] : entry.hostPatterns.map(redactSecretMaterial);
      details.hashedHosts = entry.hashedHosts;
      if (entry.hashedHosts) details.hashedHostCount = entry.hostPatterns.length;
    }
    if (entry.marker) details.marker = entry.marker;
    if (entry.ignoredReason) details.ignoredByOpenSsh = entry.ignoredReason;
    for (const k of Object.keys(details)) if (details[k] === undefined) delete details[k];

    const links =
      format === 'known_hosts'
        ? { sshHosts: hostsOfPatterns(entry.hashedHosts ? [] : entry.hostPatterns?.map(redactSecretMaterial)) }
        : {
            sshHosts: [fileContext.host],
            sshAccounts: fileContext.account ? [fileContext.account] : [],
          };
    return {
      type: 'ssh-key',
      fingerprintSha256: key.fingerprintSha256,
      displayName: sshKeyDisplayName(key, comment),
      attributes: sshKeyAttributes(key, comment),
      location: `${fileContext.host}:${file}:${line}`,
      details,
      firstSeenEvidence,
      ownerHint: ownerHintFromComment(comment),
      links,
    };
  }
}
