import * as asn1js from 'asn1js';
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

function dumpEncoding(encoded: ArrayBuffer): string {
  return `#${Buffer.from(encoded).toString('hex').toUpperCase()}`;
}

/**
 * Decodes an encoded attribute value (asn1js reads its tag and content) the
 * way OpenSSL does before printing: UTF8String as UTF-8, BMPString as
 * UTF-16BE, UniversalString as UTF-32BE, the 8-bit string types byte for byte
 * (Latin-1). Other types give `#` and the hex of their DER encoding, as
 * `openssl x509 -subject` prints them.
 */
export function decodeDirectoryString(encoded: ArrayBuffer): string {
  const { result } = asn1js.fromBER(encoded);
  const { tagClass, tagNumber, isConstructed } = result.idBlock;
  const content = (result.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
  if (tagClass !== 1 || isConstructed || !content || result.error) return dumpEncoding(encoded);
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (tagNumber === 12) return bytes.toString('utf8');
  if (LATIN1_STRING_TAGS.has(tagNumber)) return bytes.toString('latin1');
  if (tagNumber === 30) {
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
    return out;
  }
  if (tagNumber === 28) {
    let out = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      const cp = bytes.readUInt32BE(i);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
    }
    return out;
  }
  return dumpEncoding(encoded);
}

/** The attributes of a Name (RDNs of type + encoded value), in certificate order. */
export function readName(name: ReadonlyArray<ReadonlyArray<{ type: string; value: ArrayBuffer }>>): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const [rdnIndex, rdn] of name.entries()) {
    for (const ava of rdn) {
      out.push({
        oid: ava.type,
        name: NAME_ATTRIBUTE_NAMES[ava.type] ?? ava.type,
        value: decodeDirectoryString(ava.value),
        rdn: rdnIndex,
      });
    }
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
