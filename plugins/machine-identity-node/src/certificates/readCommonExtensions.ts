import * as asn1js from 'asn1js';

/*
 * subjectAltName and basicConstraints read by walking asn1js's tree, as
 * readTbsCertificate does for the TBSCertificate: converted exactly as
 * @peculiar/asn1-schema's converters would, and `undefined` for any shape
 * not plainly the common one, so the caller asks the schema decoder instead.
 */

/** One GeneralName of the common kinds, as the schema gives it (IA5 text one char per byte). */
export type CommonGeneralName =
  | { rfc822Name: string }
  | { dNSName: string }
  | { uniformResourceIdentifier: string }
  | { iPAddress: ArrayBuffer };

function parseWhole(value: ArrayBuffer): asn1js.AsnType | undefined {
  try {
    // No guessing at BER inside primitive strings (see readTbsCertificate): nothing here reads it.
    const parsed = asn1js.fromBER(value, { parseEmbedded: false });
    if (parsed.offset !== value.byteLength || parsed.result.error) return undefined;
    return parsed.result;
  } catch {
    return undefined;
  }
}

function sequenceItems(node: asn1js.AsnType | undefined): asn1js.AsnType[] | undefined {
  const id = (node as asn1js.BaseBlock | undefined)?.idBlock;
  if (!id || id.tagClass !== 1 || id.tagNumber !== 16 || !id.isConstructed || id.isHexOnly) return undefined;
  return (node as asn1js.Sequence).valueBlock.value as asn1js.AsnType[];
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** GeneralNames of rfc822Name, dNSName, URI and iPAddress only (primitive, implicitly tagged). */
export function readCommonGeneralNames(extnValue: ArrayBuffer): CommonGeneralName[] | undefined {
  const items = sequenceItems(parseWhole(extnValue));
  if (!items || items.length === 0) return undefined;
  const out: CommonGeneralName[] = [];
  for (const item of items) {
    const { idBlock, valueBlock } = item as asn1js.BaseBlock<asn1js.ValueBlock & { valueHexView?: Uint8Array }>;
    if (idBlock.tagClass !== 3 || idBlock.isConstructed || idBlock.isHexOnly) return undefined;
    const content = valueBlock.valueHexView;
    if (!content) return undefined;
    if (idBlock.tagNumber === 1) out.push({ rfc822Name: latin1(content) });
    else if (idBlock.tagNumber === 2) out.push({ dNSName: latin1(content) });
    else if (idBlock.tagNumber === 6) out.push({ uniformResourceIdentifier: latin1(content) });
    else if (idBlock.tagNumber === 7) out.push({ iPAddress: content.slice().buffer });
    else return undefined;
  }
  return out;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
export function readCommonBasicConstraints(
  extnValue: ArrayBuffer,
): { cA: boolean; pathLenConstraint?: number | string } | undefined {
  const items = sequenceItems(parseWhole(extnValue));
  if (!items || items.length > 2) return undefined;
  let [first, second] = items;
  let cA = false;
  if (first instanceof asn1js.Boolean && !first.idBlock.isHexOnly && first.idBlock.tagClass === 1 && !first.idBlock.isConstructed) {
    cA = first.valueBlock.value;
    first = second;
    second = undefined as unknown as asn1js.AsnType;
  }
  if (second !== undefined) return undefined;
  if (first === undefined) return { cA };
  if (!(first instanceof asn1js.Integer) || first.idBlock.tagClass !== 1 || first.idBlock.isConstructed) return undefined;
  const block = first.valueBlock;
  // As asn1-schema's integer converter: a number below 4 bytes, else its text.
  return { cA, pathLenConstraint: block.valueHexView.byteLength >= 4 ? block.toString() : block.valueDec };
}
