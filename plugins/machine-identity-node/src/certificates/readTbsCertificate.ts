import * as asn1js from 'asn1js';

/*
 * The parts of a certificate's TBSCertificate that parseCertificate needs,
 * read by walking asn1js's BER tree directly instead of matching it against
 * the RFC 5280 schemas with @peculiar/asn1-schema (`AsnConvert.parse`, which
 * costs several times the BER decoding itself). The BER decoding is the same
 * call asn1-schema makes, and every value is converted exactly as its
 * converters do (OIDs with asn1js's own `toString`, `Any` as a copy of the
 * element's encoding, `null` for NULL). The walk is deliberately stricter than
 * the schema: any shape it is not sure the schema would accept the same way
 * returns `undefined`, and the caller falls back to the schema decoder, so the
 * result is the schema's for every certificate.
 */

/** One attribute of a name: its type and its encoded value (tag included). */
export interface TbsAttribute {
  type: string;
  value: ArrayBuffer;
}

export interface TbsExtension {
  extnID: string;
  /** The OCTET STRING's content. */
  extnValue: ArrayBuffer;
}

/** What parseCertificate reads from a TBSCertificate. */
export interface TbsFields {
  signatureOid: string;
  issuer: TbsAttribute[][];
  subject: TbsAttribute[][];
  spkiAlgorithmOid: string;
  /** The key algorithm's parameters as asn1-schema's `Any`: encoding, `null` for NULL, absent when missing. */
  spkiParameters?: ArrayBuffer | null;
  extensions: TbsExtension[];
}

type Node = asn1js.AsnType;

const UNIVERSAL = 1;
const CONTEXT = 3;

function idOf(node: Node) {
  return (node as asn1js.BaseBlock).idBlock;
}

function is(node: Node | undefined, tagClass: number, tagNumber: number, constructed: boolean): boolean {
  if (!node) return false;
  const id = idOf(node);
  return id.tagClass === tagClass && id.tagNumber === tagNumber && id.isConstructed === constructed && !id.isHexOnly;
}

function children(node: Node): Node[] {
  return (node as asn1js.Sequence).valueBlock.value as Node[];
}

function copyOf(view: Uint8Array): ArrayBuffer {
  return view.slice().buffer;
}

/** An OBJECT IDENTIFIER as asn1-schema converts it; undefined for anything but a plain one. */
function oid(node: Node | undefined): string | undefined {
  if (!is(node, UNIVERSAL, 6, false) || !(node instanceof asn1js.ObjectIdentifier)) return undefined;
  const block = node.valueBlock;
  if (block.error || block.value.length === 0 || block.value.some(sid => sid.isHexOnly)) return undefined;
  return block.toString();
}

function anyOf(node: Node): ArrayBuffer | null {
  return node instanceof asn1js.Null ? null : copyOf((node as asn1js.BaseBlock).valueBeforeDecodeView);
}

/** AlgorithmIdentifier: SEQUENCE { OID, parameters ANY OPTIONAL }. */
function algorithm(node: Node | undefined): { oid: string; parameters?: ArrayBuffer | null } | undefined {
  if (!is(node, UNIVERSAL, 16, true)) return undefined;
  const [first, parameters, ...rest] = children(node!);
  const id = oid(first);
  if (!id || rest.length) return undefined;
  return parameters === undefined ? { oid: id } : { oid: id, parameters: anyOf(parameters) };
}

/** Name: SEQUENCE OF SET OF SEQUENCE { OID, ANY }; empty RDNs are left to the schema. */
function name(node: Node | undefined): TbsAttribute[][] | undefined {
  if (!is(node, UNIVERSAL, 16, true)) return undefined;
  const rdns: TbsAttribute[][] = [];
  for (const set of children(node!)) {
    if (!is(set, UNIVERSAL, 17, true) || children(set).length === 0) return undefined;
    const rdn: TbsAttribute[] = [];
    for (const ava of children(set)) {
      if (!is(ava, UNIVERSAL, 16, true)) return undefined;
      const [typeNode, value, ...rest] = children(ava);
      const type = oid(typeNode);
      if (!type || !value || rest.length) return undefined;
      // The schema's `any` converter reads a NULL value as null, not its bytes: such a name is left to the schema.
      if (value instanceof asn1js.Null) return undefined;
      rdn.push({ type, value: copyOf((value as asn1js.BaseBlock).valueBeforeDecodeView) });
    }
    rdns.push(rdn);
  }
  return rdns;
}

/** [3] EXPLICIT SEQUENCE OF SEQUENCE { OID, BOOLEAN DEFAULT FALSE, OCTET STRING }. */
function extensions(node: Node): TbsExtension[] | undefined {
  const [list, ...rest] = children(node);
  if (!is(list, UNIVERSAL, 16, true) || rest.length || children(list).length === 0) return undefined;
  const out: TbsExtension[] = [];
  for (const ext of children(list)) {
    if (!is(ext, UNIVERSAL, 16, true)) return undefined;
    const items = children(ext);
    const extnID = oid(items[0]);
    const hasCritical = items.length === 3;
    if (!extnID || (items.length !== 2 && !hasCritical)) return undefined;
    if (hasCritical && !(is(items[1], UNIVERSAL, 1, false) && items[1] instanceof asn1js.Boolean)) return undefined;
    const value = items[items.length - 1];
    if (!is(value, UNIVERSAL, 4, false) || !(value instanceof asn1js.OctetString)) return undefined;
    out.push({ extnID, extnValue: copyOf(value.valueBlock.valueHexView) });
  }
  return out;
}

/**
 * Reads a DER certificate's TBSCertificate fields, or `undefined` when the
 * certificate is anything but the plain RFC 5280 shape (then the schema
 * decoder decides).
 */
export function readTbsCertificate(der: Uint8Array): TbsFields | undefined {
  // A copy of exactly these bytes (a Buffer's slice would share its pool's ArrayBuffer), as asn1-schema passes.
  const bytes = new Uint8Array(der);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    // parseEmbedded: false: asn1js otherwise tries to decode every primitive BIT STRING and
    // OCTET STRING's content as BER (the public key, the signature's random bytes, each
    // extension value), keeping the result only when it happens to parse and swallowing
    // the failure otherwise. The walk never reads those guesses, and they were most of the
    // decoding time. The tree's tags, lengths, values and errors are otherwise the same.
    // copyInput: false: `bytes` is already this call's own copy.
    parsed = asn1js.fromBER(bytes.buffer, { parseEmbedded: false, copyInput: false });
  } catch {
    return undefined; // asn1js throws on some malformed content (RangeError); the schema decoder decides
  }
  if (parsed.offset !== bytes.byteLength || parsed.result.error) return undefined;
  const cert = parsed.result;
  if (!is(cert, UNIVERSAL, 16, true)) return undefined;
  const [tbsNode, outerAlgorithm, signatureValue, ...extra] = children(cert);
  if (extra.length || !algorithm(outerAlgorithm) || !is(signatureValue, UNIVERSAL, 3, false)) return undefined;
  if (!is(tbsNode, UNIVERSAL, 16, true)) return undefined;

  const items = children(tbsNode);
  let i = 0;
  if (is(items[0], CONTEXT, 0, true)) {
    const version = children(items[0]);
    if (version.length !== 1 || !is(version[0], UNIVERSAL, 2, false)) return undefined;
    i++;
  }
  const [serial, signatureNode, issuerNode, validity, subjectNode, spkiNode] = items.slice(i, i + 6);
  if (!is(serial, UNIVERSAL, 2, false) || !is(validity, UNIVERSAL, 16, true)) return undefined;
  const signature = algorithm(signatureNode);
  const issuer = name(issuerNode);
  const subject = name(subjectNode);
  if (!signature || !issuer || !subject || !is(spkiNode, UNIVERSAL, 16, true)) return undefined;
  const [spkiAlgorithmNode, publicKey, ...spkiRest] = children(spkiNode);
  const spkiAlgorithm = algorithm(spkiAlgorithmNode);
  if (!spkiAlgorithm || !is(publicKey, UNIVERSAL, 3, false) || spkiRest.length) return undefined;

  let ext: TbsExtension[] = [];
  const optional = items.slice(i + 6);
  for (const [index, node] of optional.entries()) {
    // Only the extensions, last; unique IDs and anything else go to the schema.
    if (index !== optional.length - 1 || !is(node, CONTEXT, 3, true)) return undefined;
    const read = extensions(node);
    if (!read) return undefined;
    ext = read;
  }
  return {
    signatureOid: signature.oid,
    issuer,
    subject,
    spkiAlgorithmOid: spkiAlgorithm.oid,
    ...('parameters' in spkiAlgorithm ? { spkiParameters: spkiAlgorithm.parameters } : {}),
    extensions: ext,
  };
}
