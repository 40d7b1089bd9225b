import { isUtf8 } from 'node:buffer';
import { tbsFields, type TbsAttribute, type TbsExtension, type TbsFields } from './readTbsCertificate';

/*
 * The TBSCertificate fields of a strictly DER-encoded certificate, read
 * straight from the bytes (one pass over tag-length-value headers) instead of
 * building asn1js's object tree, which was most of parseCertificate's own
 * cost. It serves only what it can prove asn1js (and so the schema decoder)
 * reads without an error and the same way: single-byte tags, minimal definite
 * lengths, every primitive of a known kind with valid content (INTEGER,
 * BIT STRING, OCTET STRING, NULL, BOOLEAN, OBJECT IDENTIFIER, UTF8String,
 * PrintableString, IA5String, UTCTime, GeneralizedTime, context-tagged), and
 * no deeper than asn1js allows. Anything else returns `undefined` and the
 * asn1js tree walk (then the schema) decides.
 */

interface Tlv {
  /** The identifier octet. */
  tag: number;
  start: number;
  /** First content byte. */
  content: number;
  end: number;
}

const MAX_DEPTH = 40;
const MAX_NODES = 5000;
const UTC_TIME = /^\d{12}Z$/;
const GENERALIZED_TIME = /^\d{14}Z$/;

class Refused extends Error {}

function refuse(): never {
  throw new Refused();
}

/** Reads the TLV at `at`, refusing anything but a single-byte tag and a minimal definite length within `limit`. */
function header(bytes: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) refuse();
  const tag = bytes[at];
  if ((tag & 0x1f) === 0x1f || tag === 0) refuse();
  let length = bytes[at + 1];
  let content = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || content + count > limit) refuse();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[content + i];
    content += count;
    // Minimal: long form only from 128, no leading zero byte.
    if (length < 128 || bytes[at + 2] === 0) refuse();
  }
  const end = content + length;
  if (end > limit) refuse();
  return { tag, start: at, content, end };
}

function constructed(t: Tlv): boolean {
  return (t.tag & 0x20) !== 0;
}

/** The content of an OBJECT IDENTIFIER in dotted form, as asn1js prints it; refuses encodings it might read otherwise. */
function oidText(bytes: Uint8Array, t: Tlv): string {
  if (t.content === t.end || bytes[t.end - 1] & 0x80) refuse();
  const parts: number[] = [];
  let value = 0;
  let groups = 0;
  for (let i = t.content; i < t.end; i++) {
    const b = bytes[i];
    if (groups === 0 && b === 0x80) refuse();
    value = value * 128 + (b & 0x7f);
    if (++groups > 7) refuse();
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
      groups = 0;
    }
  }
  const first = parts[0];
  const head = first <= 39 ? `0.${first}` : first <= 79 ? `1.${first - 40}` : `2.${first - 80}`;
  return parts.length > 1 ? `${head}.${parts.slice(1).join('.')}` : head;
}

/** Checks the whole element tree (refuses what asn1js might read differently or flag). */
function validate(bytes: Uint8Array, t: Tlv, depth: number, count: { nodes: number }): void {
  if (++count.nodes > MAX_NODES || depth > MAX_DEPTH) refuse();
  const tagClass = t.tag >> 6;
  if (constructed(t)) {
    // Universal constructed: SEQUENCE and SET only (constructed strings go to asn1js).
    if (tagClass === 0 && (t.tag & 0x1f) !== 16 && (t.tag & 0x1f) !== 17) refuse();
    for (let at = t.content; at < t.end; ) {
      const child = header(bytes, at, t.end);
      validate(bytes, child, depth + 1, count);
      at = child.end;
    }
    return;
  }
  if (tagClass === 2) return; // context-specific primitive: kept as bytes
  if (tagClass !== 0) refuse();
  const length = t.end - t.content;
  const text = () => Buffer.from(bytes.buffer, bytes.byteOffset + t.content, length).toString('latin1');
  switch (t.tag) {
    case 0x01: // BOOLEAN
      if (length !== 1) refuse();
      return;
    case 0x02: // INTEGER
      if (length === 0) refuse();
      return;
    case 0x03: // BIT STRING
      if (length === 0 || bytes[t.content] > 7 || (length === 1 && bytes[t.content] !== 0)) refuse();
      return;
    case 0x04: // OCTET STRING
      return;
    case 0x05: // NULL
      if (length !== 0) refuse();
      return;
    case 0x06:
      oidText(bytes, t);
      return;
    case 0x0c: // UTF8String
      if (!isUtf8(bytes.subarray(t.content, t.end))) refuse();
      return;
    case 0x13: // PrintableString
    case 0x16: // IA5String
      return;
    case 0x17:
      if (!UTC_TIME.test(text())) refuse();
      return;
    case 0x18:
      if (!GENERALIZED_TIME.test(text())) refuse();
      return;
    default:
      refuse();
  }
}

function childrenOf(bytes: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.content; at < t.end; ) {
    const child = header(bytes, at, t.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** A copy of its own (a Buffer's slice would share the pool's ArrayBuffer). */
const copy = (bytes: Uint8Array, from: number, to: number): ArrayBuffer => new Uint8Array(bytes.subarray(from, to)).buffer;

function want(t: Tlv | undefined, tag: number): Tlv {
  if (!t || t.tag !== tag) refuse();
  return t;
}

const SEQUENCE = 0x30;
const SET = 0x31;

function algorithm(bytes: Uint8Array, t: Tlv | undefined): { oid: string; parameters?: ArrayBuffer | null } {
  const [first, parameters, ...rest] = childrenOf(bytes, want(t, SEQUENCE));
  const oid = oidText(bytes, want(first, 0x06));
  if (rest.length) refuse();
  if (parameters === undefined) return { oid };
  return { oid, parameters: parameters.tag === 0x05 ? null : copy(bytes, parameters.start, parameters.end) };
}

function name(bytes: Uint8Array, t: Tlv | undefined): TbsAttribute[][] {
  const rdns: TbsAttribute[][] = [];
  for (const set of childrenOf(bytes, want(t, SEQUENCE))) {
    const avas = childrenOf(bytes, want(set, SET));
    if (avas.length === 0) refuse();
    rdns.push(
      avas.map(ava => {
        const [type, value, ...rest] = childrenOf(bytes, want(ava, SEQUENCE));
        if (!value || rest.length) refuse();
        return { type: oidText(bytes, want(type, 0x06)), value: copy(bytes, value.start, value.end) };
      }),
    );
  }
  return rdns;
}

function extensions(bytes: Uint8Array, t: Tlv): TbsExtension[] {
  const [list, ...rest] = childrenOf(bytes, t);
  if (rest.length) refuse();
  const items = childrenOf(bytes, want(list, SEQUENCE));
  if (items.length === 0) refuse();
  return items.map(ext => {
    const parts = childrenOf(bytes, want(ext, SEQUENCE));
    if (parts.length !== 2 && parts.length !== 3) refuse();
    const extnID = oidText(bytes, want(parts[0], 0x06));
    if (parts.length === 3) want(parts[1], 0x01);
    const value = want(parts[parts.length - 1], 0x04);
    return { extnID, extnValue: copy(bytes, value.content, value.end) };
  });
}

/**
 * Reads the TBSCertificate fields of a strictly DER-encoded, plainly shaped
 * certificate, or `undefined` for anything else.
 */
export function readDerTbsCertificate(der: Uint8Array): TbsFields | undefined {
  try {
    const cert = header(der, 0, der.byteLength);
    if (cert.start !== 0 || cert.end !== der.byteLength || cert.tag !== SEQUENCE) return undefined;
    validate(der, cert, 0, { nodes: 0 });
    const [tbsNode, outerAlgorithm, signatureValue, ...extra] = childrenOf(der, cert);
    if (extra.length) return undefined;
    algorithm(der, outerAlgorithm);
    want(signatureValue, 0x03);
    const items = childrenOf(der, want(tbsNode, SEQUENCE));
    let i = 0;
    if (items[0]?.tag === 0xa0) {
      const version = childrenOf(der, items[0]);
      if (version.length !== 1) return undefined;
      want(version[0], 0x02);
      i++;
    }
    const [serial, signatureNode, issuerNode, validity, subjectNode, spkiNode] = items.slice(i, i + 6);
    want(serial, 0x02);
    want(validity, SEQUENCE);
    const signature = algorithm(der, signatureNode);
    const issuer = name(der, issuerNode);
    const subject = name(der, subjectNode);
    const [spkiAlgorithmNode, publicKey, ...spkiRest] = childrenOf(der, want(spkiNode, SEQUENCE));
    const spkiAlgorithm = algorithm(der, spkiAlgorithmNode);
    want(publicKey, 0x03);
    if (spkiRest.length) return undefined;
    let ext: TbsExtension[] = [];
    const optional = items.slice(i + 6);
    if (optional.length > 1 || (optional.length === 1 && optional[0].tag !== 0xa3)) return undefined;
    if (optional.length === 1) ext = extensions(der, optional[0]);
    return tbsFields(signature.oid, issuer, subject, spkiAlgorithm, ext);
  } catch (e) {
    if (e instanceof Refused) return undefined;
    throw e;
  }
}
