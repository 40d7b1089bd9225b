import { relative, sep } from 'node:path';

/** The host and account a key file belongs to. */
export interface SshFileContext {
  host: string;
  account?: string;
}

const ACCOUNT_IN_PATH = /(?:^|\/)home\/([^/]+)\//;
const ROOT_ACCOUNT_IN_PATH = /(?:^|\/)root\/\.ssh\//;
const SYSTEM_FOLDERS = new Set(['home', 'root', 'etc', '.ssh', 'var', 'usr']);

/**
 * Decides which host and account a file belongs to.
 *
 * With `pathPattern`, its named groups `host` and `account` win. Otherwise
 * the account is the folder after `home/` (or `root` for `root/.ssh/`), and
 * the host is the first folder below the glob's static root — as in a
 * collected fleet tree `/srv/fleet/<host>/home/<account>/.ssh/authorized_keys` —
 * unless that folder is already part of the system layout (`home`, `etc`,
 * an account folder), in which case the file is local and the host is
 * `localHostname`.
 */
export function resolveFileContext(
  file: string,
  root: string,
  localHostname: string,
  pathPattern?: RegExp,
): SshFileContext {
  const path = file.split(sep).join('/');
  const matched = pathPattern?.exec(path)?.groups;
  let account = matched?.account || undefined;
  if (!account) {
    account = ACCOUNT_IN_PATH.exec(path)?.[1] ?? (ROOT_ACCOUNT_IN_PATH.test(path) ? 'root' : undefined);
  }
  let host = matched?.host || undefined;
  if (!host) {
    const segments = relative(root, file).split(sep);
    const first = segments[0];
    const rootIsHome = /(?:^|\/)home\/?$/.test(root.split(sep).join('/'));
    if (
      segments.length > 1 &&
      first &&
      first !== '..' &&
      !SYSTEM_FOLDERS.has(first) &&
      !rootIsHome &&
      first !== account
    ) {
      host = first;
    }
  }
  return { host: host ?? localHostname, account };
}
