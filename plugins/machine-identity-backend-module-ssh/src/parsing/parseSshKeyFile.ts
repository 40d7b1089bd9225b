import { basename } from 'node:path';
import { isPrivateKeyStart, parseSshKeyLine, type SshKeyEntry, type SshKeyFileFormat } from './parseSshKeyLine';

/** What the first bytes of a file say about it. */
export type SshKeyFileHead = 'text' | 'private-key' | 'pem' | 'binary';

/** Bytes read from a file before deciding whether to read the rest. */
export const HEAD_BYTES = 64;

/**
 * Classifies a file from its first {@link HEAD_BYTES} bytes, so a private key
 * file is recognised before its key material is read.
 */
export function classifySshKeyFileHead(head: Buffer): SshKeyFileHead {
  // Control bytes other than tab, newline and carriage return: DER, SSH-1 keys, other binaries.
  if (head.some(b => b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x0b || b === 0x0c)) return 'binary';
  const firstLine = head.toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().split('\n')[0];
  if (isPrivateKeyStart(firstLine)) return 'private-key';
  if (/^-{4,5} ?BEGIN /.test(firstLine)) return 'pem';
  return 'text';
}

/** Which layout to parse a file with, from its name: known_hosts files by name, the rest as authorized_keys. */
export function sshKeyFileFormat(path: string): SshKeyFileFormat {
  return /known_hosts/i.test(basename(path)) ? 'known_hosts' : 'authorized_keys';
}

/** The parse of one key list file. */
export interface SshKeyFileParse {
  /** Key lines with their 1-based line numbers. */
  entries: Array<{ line: number; entry: SshKeyEntry }>;
  /** Malformed lines, skipped. */
  errors: Array<{ line: number; message: string }>;
  /** Set when a private key began on this line; nothing after it was parsed. */
  privateKeyLine?: number;
}

/** Parses the text of an authorized_keys, `.pub` or known_hosts file line by line. */
export function parseSshKeyFileText(text: string, format: SshKeyFileFormat): SshKeyFileParse {
  const result: SshKeyFileParse = { entries: [], errors: [] };
  let start = 0;
  let lineNumber = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNumber++;
    const parsed = parseSshKeyLine(text.slice(start, end), format);
    if (parsed.kind === 'key') result.entries.push({ line: lineNumber, entry: parsed.entry });
    else if (parsed.kind === 'error') result.errors.push({ line: lineNumber, message: parsed.message });
    else if (parsed.kind === 'private-key') {
      result.privateKeyLine = lineNumber;
      break;
    }
    start = end + 1;
  }
  return result;
}
