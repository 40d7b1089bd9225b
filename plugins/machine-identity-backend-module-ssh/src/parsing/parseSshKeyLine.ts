import { parseSshKeyBlob, type ParsedSshKey } from './parseSshKeyBlob';
import { lookupSshKeyType } from './sshKeyTypes';
import {
  advancePastOptions,
  KNOWN_AUTHORIZED_KEYS_OPTIONS,
  parseAuthorizedKeysOptions,
  type SshKeyOption,
} from './parseAuthorizedKeysOptions';
import { isSafeName } from './redactAuthorizedKeysOptions';
import { stripControlCharacters } from '@keyring/plugin-machine-identity-node';

/** How a key list file is laid out. `.pub` files use the authorized_keys layout. */
export type SshKeyFileFormat = 'authorized_keys' | 'known_hosts';

/** One key line of an authorized_keys or known_hosts file. */
export interface SshKeyEntry {
  key: ParsedSshKey;
  comment?: string;
  /** authorized_keys options, in order. */
  options?: SshKeyOption[];
  /** known_hosts marker: `@cert-authority`, `@revoked` (or an unknown one, see `ignoredReason`). */
  marker?: string;
  /** known_hosts host patterns as written (`host`, `[host]:port`, `!neg`, `*.wild`, `|1|salt|hash`). */
  hostPatterns?: string[];
  /** Whether the known_hosts host names are hashed (`HashKnownHosts`). */
  hashedHosts?: boolean;
  /** Set when the key parses but OpenSSH would ignore the line (unknown option or marker). */
  ignoredReason?: string;
}

/** Outcome of parsing one line. */
export type SshKeyLineResult =
  | { kind: 'blank' }
  | { kind: 'key'; entry: SshKeyEntry }
  | { kind: 'error'; message: string }
  /** The line starts a private key: stop reading the file. */
  | { kind: 'private-key' };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PRIVATE_KEY_START =
  /^(?:-----BEGIN [A-Za-z0-9 ]*PRIVATE KEY-----|---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----|PuTTY-User-Key-File-\d+:|Private-key-format:|SSH PRIVATE KEY FILE FORMAT)/;
const KNOWN_MARKERS = new Set(['@cert-authority', '@revoked']);
const RSA1_START = /^\d+\s+\d+\s+\d+/;

/** Whether a line is the first line of a private key in any common format. */
export function isPrivateKeyStart(line: string): boolean {
  return PRIVATE_KEY_START.test(line);
}

/**
 * The problem for a first word that names no key type. The word itself is
 * never repeated: it may be a token pasted on a line of its own.
 */
function unsupportedType(token: string): string {
  return `unsupported key type (a word of ${token.length} characters)`;
}

function nextToken(text: string, from: number): { token: string; end: number } {
  let start = from;
  while (start < text.length && (text[start] === ' ' || text[start] === '\t')) start++;
  let end = start;
  while (end < text.length && text[end] !== ' ' && text[end] !== '\t') end++;
  return { token: text.slice(start, end), end };
}

/** Parses `type base64 [comment]` starting at `from`. */
function parseKeyFields(
  text: string,
  from: number,
): { key: ParsedSshKey; comment?: string } {
  const type = nextToken(text, from);
  if (!type.token) throw new Error('no key on the line');
  if (RSA1_START.test(text.slice(from).trimStart())) {
    throw new Error('SSH-1 RSA keys are not supported');
  }
  if (!lookupSshKeyType(type.token)) throw new Error(unsupportedType(type.token));
  const data = nextToken(text, type.end);
  if (!data.token) throw new Error(`no key data after ${type.token}`);
  if (!BASE64.test(data.token) || data.token.length % 4 === 1) {
    throw new Error(`key data of ${type.token} is not base64`);
  }
  const key = parseSshKeyBlob(Buffer.from(data.token, 'base64'), type.token);
  // As ssh-keygen does: leading blanks skipped, the rest kept as written.
  // Control and bidirectional-control characters are dropped at parse time (what is shown is what is there).
  const comment = stripControlCharacters(text.slice(data.end).replace(/^[ \t]+/, ''));
  return { key, comment: comment.trim() ? comment : undefined };
}

function parseAuthorizedKeysLine(line: string): SshKeyLineResult {
  const first = nextToken(line, 0);
  if (lookupSshKeyType(first.token)) {
    return { kind: 'key', entry: parseKeyFields(line, 0) };
  }
  if (RSA1_START.test(line)) throw new Error('SSH-1 RSA keys are not supported');
  const optionsEnd = advancePastOptions(line);
  const rest = nextToken(line, optionsEnd);
  if (!rest.token) {
    throw new Error(
      first.token.includes('=') || first.token.includes(',')
        ? 'no key after the options'
        : unsupportedType(first.token),
    );
  }
  if (!lookupSshKeyType(rest.token) && BASE64.test(rest.token) && !first.token.includes('=')) {
    // `ssh-foo AAAA…`: an unknown key type rather than an options field.
    throw new Error(unsupportedType(first.token));
  }
  const options = parseAuthorizedKeysOptions(line.slice(0, optionsEnd));
  const { key, comment } = parseKeyFields(line, optionsEnd);
  const unknown = options.filter(o => !KNOWN_AUTHORIZED_KEYS_OPTIONS.has(o.name));
  return {
    kind: 'key',
    entry: {
      key,
      comment,
      options,
      ignoredReason: unknown.length
        ? `unknown option ${unknown.map(o => (isSafeName(o.name) ? o.name : '[redacted]')).join(', ')}: sshd ignores this line`
        : undefined,
    },
  };
}

function parseKnownHostsLine(line: string): SshKeyLineResult {
  let token = nextToken(line, 0);
  let marker: string | undefined;
  if (token.token.startsWith('@')) {
    marker = token.token;
    token = nextToken(line, token.end);
  }
  if (!token.token) throw new Error('no host patterns');
  if (lookupSshKeyType(token.token)) {
    if (!marker || KNOWN_MARKERS.has(marker)) throw new Error('no host patterns before the key');
    // `@unknown keytype key`: OpenSSH ignores the line, ssh-keygen -l reads the key.
    const { key, comment } = parseKeyFields(line, token.end - token.token.length);
    return {
      kind: 'key',
      entry: {
        key,
        comment,
        marker,
        hostPatterns: [],
        hashedHosts: false,
        ignoredReason: `unknown marker ${isSafeName(marker) ? marker : '[redacted]'}: OpenSSH ignores this line`,
      },
    };
  }
  const hostPatterns = token.token.split(',').filter(Boolean);
  const hashedHosts = hostPatterns.some(p => p.startsWith('|'));
  if (hashedHosts && !/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+$/.test(token.token)) {
    throw new Error('malformed hashed host name');
  }
  const { key, comment } = parseKeyFields(line, token.end);
  return {
    kind: 'key',
    entry: {
      key,
      comment,
      marker,
      hostPatterns,
      hashedHosts,
      ignoredReason:
        marker && !KNOWN_MARKERS.has(marker)
          ? `unknown marker ${isSafeName(marker) ? marker : '[redacted]'}: OpenSSH ignores this line`
          : undefined,
    },
  };
}

/**
 * Parses one line of an authorized_keys (or `.pub`) or known_hosts file.
 * Never throws: malformed lines come back as `{ kind: 'error' }`.
 */
export function parseSshKeyLine(line: string, format: SshKeyFileFormat): SshKeyLineResult {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const trimmed = text.trimStart();
  if (!trimmed || trimmed.startsWith('#')) return { kind: 'blank' };
  if (isPrivateKeyStart(trimmed)) return { kind: 'private-key' };
  try {
    return format === 'known_hosts' ? parseKnownHostsLine(trimmed) : parseAuthorizedKeysLine(trimmed);
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}
