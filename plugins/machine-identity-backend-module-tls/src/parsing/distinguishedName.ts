import { DerNode, derChildren, derContent, derEncoding, derOid } from './der';
import { NAME_ATTRIBUTE_NAMES } from './oids';

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  oid: string;
  /** OpenSSL short name (`CN`, `O`, `emailAddress`) or the dotted OID. */
  name: string;
  value: string;
  /** Index of the relative distinguished name this attribute belongs to. */
  rdn: number;
}

const LATIN1_STRING_TAGS = new Set([18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);

/**
 * Decodes a directory string the way OpenSSL does before printing: UTF8String
 * as UTF-8, BMPString as UTF-16BE, UniversalString as UTF-32BE, the 8-bit
 * string types byte for byte (Latin-1). Other types give `#` and the hex of
 * their DER encoding, as `openssl x509 -subject` prints them.
 */
export function decodeDirectoryString(node: DerNode): string {
  const bytes = derContent(node);
  if (node.cls === 0 && !node.constructed) {
    if (node.tag === 12) return bytes.toString('utf8');
    if (LATIN1_STRING_TAGS.has(node.tag)) return bytes.toString('latin1');
    if (node.tag === 30) {
      let out = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        out += String.fromCharCode(bytes.readUInt16BE(i));
      }
      return out;
    }
    if (node.tag === 28) {
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const cp = bytes.readUInt32BE(i);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
      }
      return out;
    }
  }
  return `#${derEncoding(node).toString('hex').toUpperCase()}`;
}

/** Reads the attributes of an X.501 Name element. */
export function readName(name: DerNode): NameAttribute[] {
  const out: NameAttribute[] = [];
  let rdnIndex = 0;
  for (const rdn of derChildren(name)) {
    for (const ava of derChildren(rdn)) {
      const [type, value] = derChildren(ava);
      if (!type || !value) continue;
      const oid = derOid(type);
      out.push({
        oid,
        name: NAME_ATTRIBUTE_NAMES[oid] ?? oid,
        value: decodeDirectoryString(value),
        rdn: rdnIndex,
      });
    }
    rdnIndex++;
  }
  return out;
}

const QUOTE_TRIGGERS = new Set([',', '+', ';', '<', '>']);

/**
 * Escapes one value as OpenSSL's `-nameopt oneline` does (quotes around values
 * with RFC 2253 specials or edge spaces, backslash before `"` and `\`, `\XX`
 * for control characters), except that non-ASCII characters stay as Unicode
 * instead of `\XX` UTF-8 byte escapes.
 */
export function escapeNameValue(value: string): string {
  let needQuotes = false;
  let out = '';
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const code = ch.codePointAt(0) ?? 0;
    if (QUOTE_TRIGGERS.has(ch)) {
      needQuotes = true;
      out += ch;
    } else if ((i === 0 && (ch === ' ' || ch === '#')) || (i === chars.length - 1 && ch === ' ')) {
      needQuotes = true;
      out += ch;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return needQuotes ? `"${out}"` : out;
}

/** Formats a name as `CN = example, O = Org` (certificate order, OpenSSL style). */
export function formatName(attributes: NameAttribute[]): string {
  let out = '';
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i];
    if (i > 0) out += a.rdn === attributes[i - 1].rdn ? ' + ' : ', ';
    out += `${a.name} = ${escapeNameValue(a.value)}`;
  }
  return out;
}

/** Formats a name the way OpenSSL prints a `DirName:` SAN (`/C=US/O=Org`). */
export function formatNameSlashed(attributes: NameAttribute[]): string {
  return attributes.map(a => `/${a.name}=${a.value}`).join('');
}
