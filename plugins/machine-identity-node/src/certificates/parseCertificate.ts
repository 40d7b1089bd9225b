import { KeyObject, X509Certificate as NodeX509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ECParameters } from '@peculiar/asn1-ecc';
import {
  BasicConstraints,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
} from '@peculiar/asn1-x509';
import { InputError } from '@backstage/errors';
import { RawCertificate, RawGeneralName, RawGeneralNames } from './certificateSchema';
import { formatName, formatNameSlashed, NameAttribute, readName } from './distinguishedName';
import { CURVES_BY_OPENSSL_NAME, KEY_ALGORITHMS, KEY_TYPE_OIDS, NAME_ATTRIBUTE_NAMES, SIGNATURE_ALGORITHMS } from './oids';
import { opensslTimeToIso } from './opensslTime';
import { readTbsCertificate, type TbsFields } from './readTbsCertificate';
import { readCommonBasicConstraints, readCommonGeneralNames } from './readCommonExtensions';
import { stripControlCharacters } from '../text/stripControlCharacters';

/** Everything Keyring reads from one X.509 certificate. Never holds key material beyond the public key. */
export interface ParsedCertificate {
  /** Lower-case hex SHA-256 of the DER encoding. */
  fingerprintSha256: string;
  der: Buffer;
  /**
   * Subject in certificate order, OpenSSL style: `CN = api.example.test, O = Example`.
   * When the ASN.1 decoder refuses a certificate Node accepts ({@link ParsedCertificate.decoded} false),
   * the attributes come from Node's printing and keep its RFC 2253 escaping.
   */
  subject: string;
  issuer: string;
  subjectAttributes: NameAttribute[];
  /** SANs as OpenSSL prints them: `DNS:a.example`, `IP Address:127.0.0.1`, `email:…`, `URI:…`. */
  sans: string[];
  dnsNames: string[];
  /** Serial number as lower-case hex without leading zeros; `-` and the magnitude when (invalidly) negative. */
  serialNumber: string;
  /** Validity bounds, ISO-8601; absent when the time field cannot be read (OpenSSL: `Bad time value`). */
  notBefore?: string;
  notAfter?: string;
  /** `RSA`, `EC`, `Ed25519`, `DSA`, … or the dotted OID of an unknown algorithm. */
  keyAlgorithm: string;
  keyAlgorithmOid: string;
  keySize?: number;
  curve?: string;
  /** OpenSSL's name of the signature algorithm (`sha256WithRSAEncryption`), or the dotted OID; absent when undecodable. */
  signatureAlgorithm?: string;
  signatureAlgorithmOid?: string;
  isCa: boolean;
  pathLength?: number;
  selfSigned: boolean;
  /** Extension OIDs present (empty when undecodable). */
  extensions: string[];
  /**
   * Whether @peculiar/asn1-schema decoded the certificate. When false (it refuses a few
   * certificates OpenSSL accepts), SANs come from Node and the signature algorithm,
   * path length and extension list are absent.
   */
  decoded: boolean;
  /** Node's view of the certificate, used for signature and issuer checks. */
  node: NodeX509Certificate;
}

const OTHER_NAME_TYPES: Record<string, string> = {
  '1.3.6.1.5.5.7.8.9': 'SmtpUTF8Mailbox',
  '1.3.6.1.5.5.7.8.1': 'id-on-personalData',
  '1.3.6.1.5.5.7.8.3': 'id-on-permanentIdentifier',
  '1.3.6.1.5.5.7.8.4': 'id-on-hardwareModuleName',
  '1.3.6.1.5.5.7.8.5': 'XmppAddr',
  '1.3.6.1.5.5.7.8.7': 'id-on-dnsSRV',
  '1.3.6.1.5.5.7.8.8': 'NAIRealm',
  '1.3.6.1.4.1.311.20.2.3': 'msUPN',
};

/** IA5String text as asn1js decodes it (one char per byte), read as UTF-8 like OpenSSL's output. */
function ia5(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

function formatIp(value: ArrayBuffer): string {
  const bytes = Array.from(new Uint8Array(value));
  if (bytes.length === 4 || bytes.length === 16) return ipaddr.fromByteArray(bytes).toString();
  return `<invalid length=${bytes.length}>`;
}

function formatGeneralName(gn: Partial<RawGeneralName>): string | undefined {
  if (gn.otherName) return `othername:${OTHER_NAME_TYPES[gn.otherName.typeId] ?? gn.otherName.typeId}`;
  if (gn.rfc822Name !== undefined) return `email:${ia5(gn.rfc822Name)}`;
  if (gn.dNSName !== undefined) return `DNS:${ia5(gn.dNSName)}`;
  if (gn.x400Address) return 'X400Name:<unsupported>';
  if (gn.directoryName) return `DirName:${formatNameSlashed(readName(gn.directoryName))}`;
  if (gn.ediPartyName) return 'EdiPartyName:<unsupported>';
  if (gn.uniformResourceIdentifier !== undefined) return `URI:${ia5(gn.uniformResourceIdentifier)}`;
  if (gn.iPAddress) return `IP Address:${formatIp(gn.iPAddress)}`;
  if (gn.registeredID) return `Registered ID:${gn.registeredID}`;
  return undefined;
}

/** One subjectAltName extension's names; an undecodable extension presents none. */
function readSans(extnValue: ArrayBuffer, schemaOnly: boolean): string[] {
  const common = schemaOnly ? undefined : readCommonGeneralNames(extnValue);
  if (common) return common.map(gn => formatGeneralName(gn)).filter((s): s is string => s !== undefined);
  try {
    return AsnConvert.parse(extnValue, RawGeneralNames)
      .map(formatGeneralName)
      .filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}

function readBasicConstraints(extnValue: ArrayBuffer | undefined, schemaOnly: boolean): { isCa: boolean; pathLength?: number } {
  if (!extnValue) return { isCa: false };
  try {
    const bc = (schemaOnly ? undefined : readCommonBasicConstraints(extnValue)) ?? AsnConvert.parse(extnValue, BasicConstraints);
    const length: unknown = bc.pathLenConstraint;
    // A negative or oversized pathLenConstraint is invalid (OpenSSL flags the certificate
    // invalid and ignores it); asn1-schema returns it signed, or as a string when huge.
    const pathLength = typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    return { isCa: bc.cA, pathLength };
  } catch {
    // An undecodable basicConstraints extension grants nothing.
    return { isCa: false };
  }
}

type KeyFields = Pick<ParsedCertificate, 'keyAlgorithm' | 'keyAlgorithmOid' | 'keySize' | 'curve'>;

/** Whether EC key parameters spell the curve out instead of naming it (asn1-ecc decodes them). */
function hasExplicitCurve(params: ArrayBuffer | null | undefined): boolean {
  if (!params) return false;
  // ECParameters is a CHOICE: an OBJECT IDENTIFIER (tag 6) is a named curve, which the
  // decoder would read as `namedCurve` (or refuse): neither is `specifiedCurve`.
  if (new Uint8Array(params, 0, Math.min(1, params.byteLength))[0] === 0x06) return false;
  try {
    return !!AsnConvert.parse(params, ECParameters).specifiedCurve;
  } catch {
    return false;
  }
}

/** Key algorithm and size from Node's KeyObject; the SPKI OID names keys Node cannot load. */
function readKey(node: NodeX509Certificate, tbs: TbsFields | undefined): KeyFields {
  const spkiOid = tbs?.spkiAlgorithmOid;
  let key: KeyObject | undefined;
  try {
    key = node.publicKey;
  } catch {
    // GOST, ML-DSA, malformed keys…: OpenSSL cannot load them either.
  }
  const type = key?.asymmetricKeyType;
  const oid = spkiOid ?? (type ? KEY_TYPE_OIDS[type] : undefined) ?? 'unknown';
  const base = { keyAlgorithm: KEY_ALGORITHMS[oid]?.name ?? oid, keyAlgorithmOid: oid };
  const details = key?.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return { ...base, keySize: details.modulusLength };
    case 'ec': {
      const named = details.namedCurve;
      const curve = named ? CURVES_BY_OPENSSL_NAME[named] : undefined;
      // Explicit parameters are reported as such even when OpenSSL recognises them as a named curve.
      const explicit = hasExplicitCurve(tbs?.spkiParameters);
      return { ...base, curve: explicit ? 'explicit' : curve?.name ?? named, keySize: curve?.bits };
    }
    case 'ed25519':
    case 'x25519':
      return { ...base, keySize: 256, curve: type === 'ed25519' ? 'Ed25519' : 'X25519' };
    case 'ed448':
    case 'x448':
      return { ...base, keySize: 456, curve: type === 'ed448' ? 'Ed448' : 'X448' };
    default:
      return base;
  }
}

const NAME_ATTRIBUTE_OIDS: Record<string, string> = Object.fromEntries(
  Object.entries(NAME_ATTRIBUTE_NAMES).map(([oid, name]) => [name, oid]),
);

/** Node prints names one attribute per line (`CN=x`); used only when the ASN.1 decoder refuses. */
function nodeNameAttributes(text: string): NameAttribute[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line, rdn) => {
      const eq = line.indexOf('=');
      const name = line.slice(0, eq);
      return { oid: NAME_ATTRIBUTE_OIDS[name] ?? name, name, value: line.slice(eq + 1), rdn };
    });
}

/** Node's subjectAltName (`DNS:a, IP Address:…`); used only when the ASN.1 decoder refuses. */
function nodeSans(text: string | undefined): string[] {
  return text ? text.split(', ').filter(Boolean) : [];
}

function nodeSerial(text: string): string {
  const negative = text.startsWith('-');
  const hex = (negative ? text.slice(1) : text).toLowerCase().replace(/^0+(?=.)/, '');
  return `${negative ? '-' : ''}${hex}`;
}

/** The schema decoder's view of the same fields (the fallback, and the reference in tests). */
export function decodeTbsWithSchema(der: Uint8Array): TbsFields | undefined {
  let tbs: RawCertificate['tbsCertificate'];
  try {
    tbs = AsnConvert.parse(der, RawCertificate).tbsCertificate;
  } catch {
    return undefined;
  }
  const { algorithm, parameters } = tbs.subjectPublicKeyInfo.algorithm;
  return {
    signatureOid: tbs.signature.algorithm,
    issuer: tbs.issuer.map(rdn => [...rdn]),
    subject: tbs.subject.map(rdn => [...rdn]),
    spkiAlgorithmOid: algorithm,
    ...(parameters !== undefined ? { spkiParameters: parameters } : {}),
    extensions: (tbs.extensions ?? []).map(e => ({ extnID: e.extnID, extnValue: e.extnValue.buffer })),
  };
}

/** The fast tree walk for plain certificates, the schema decoder for anything else. */
function decode(der: Buffer): TbsFields | undefined {
  return readTbsCertificate(der) ?? decodeTbsWithSchema(der);
}

/**
 * Parses one DER certificate. Node's `crypto.X509Certificate` (OpenSSL) decides
 * whether the certificate is well-formed and gives the fingerprint, serial,
 * validity, public key and signature checks. What Node 20 does not expose (the
 * signature algorithm, extensions, names attribute by attribute with their
 * string types, SANs as OpenSSL prints them) is decoded by @peculiar/asn1-schema
 * with the RFC 5280 schemas of {@link RawCertificate}. If that decoder refuses a
 * certificate OpenSSL accepts, the Node fields are still returned and the
 * decoded-only ones are absent (`decoded: false`). Throws an `InputError` for
 * input Node refuses.
 */
export function parseCertificate(der: Buffer): ParsedCertificate {
  return parseCertificateUsing(der, decode, false);
}

/**
 * {@link parseCertificate} of a certificate Node has already decoded (a TLS handshake's
 * `getPeerX509Certificate()`): the same fields as parsing its DER (`cert.raw`), without
 * OpenSSL decoding the DER a second time. The result keeps `cert` as its `node`.
 */
export function parseX509Certificate(cert: NodeX509Certificate): ParsedCertificate {
  return parseCertificateUsing(cert.raw, decode, false, cert);
}

/**
 * {@link parseCertificate} with the schema decoder alone (what it did before the
 * tree walk): the reference for tests and the benchmark's before figure.
 * @internal
 */
export function parseCertificateWithSchema(der: Buffer): ParsedCertificate {
  return parseCertificateUsing(der, decodeTbsWithSchema, true);
}

function parseCertificateUsing(
  der: Buffer,
  decodeTbs: (der: Buffer) => TbsFields | undefined,
  schemaOnly: boolean,
  decoded?: NodeX509Certificate,
): ParsedCertificate {
  let node: NodeX509Certificate;
  try {
    node = decoded ?? new NodeX509Certificate(der);
  } catch (e) {
    throw new InputError(`Not a valid X.509 certificate: ${(e as Error).message}`);
  }
  const tbs = decodeTbs(der);

  const extensionValues = new Map<string, ArrayBuffer>();
  const sans: string[] = [];
  for (const ext of tbs?.extensions ?? []) {
    if (!extensionValues.has(ext.extnID)) extensionValues.set(ext.extnID, ext.extnValue);
    // Every subjectAltName extension counts (a duplicate is invalid, but its names are still presented).
    if (ext.extnID === id_ce_subjectAltName) sans.push(...readSans(ext.extnValue, schemaOnly));
  }
  if (!tbs) sans.push(...nodeSans(node.subjectAltName));

  // Names are shown and stored: control and bidirectional-control characters are dropped here, at parse time.
  // The printed names keep OpenSSL's escapes (`\01`) for control bytes; attribute values lose them.
  const clean = (attributes: NameAttribute[]) => attributes.map(a => ({ ...a, value: stripControlCharacters(a.value) }));
  const rawSubject = tbs ? readName(tbs.subject) : nodeNameAttributes(node.subject);
  const issuerAttributes = tbs ? readName(tbs.issuer) : nodeNameAttributes(node.issuer);
  const subjectAttributes = clean(rawSubject);
  const cleanSans = sans.map(stripControlCharacters);
  // The tbsCertificate's copy, as OpenSSL prints it (RFC 5280 requires both to be equal).
  const sigOid = tbs?.signatureOid;
  const { isCa, pathLength } = tbs
    ? readBasicConstraints(extensionValues.get(id_ce_basicConstraints), schemaOnly)
    : { isCa: node.ca, pathLength: undefined };

  let selfSigned = false;
  if (node.subject === node.issuer) {
    try {
      selfSigned = node.verify(node.publicKey);
    } catch {
      selfSigned = false;
    }
  }

  return {
    fingerprintSha256: node.fingerprint256.replace(/:/g, '').toLowerCase(),
    der,
    subject: stripControlCharacters(formatName(rawSubject)),
    issuer: stripControlCharacters(formatName(issuerAttributes)),
    subjectAttributes,
    sans: cleanSans,
    dnsNames: cleanSans.filter(s => s.startsWith('DNS:')).map(s => s.slice(4)),
    serialNumber: nodeSerial(node.serialNumber),
    notBefore: opensslTimeToIso(node.validFrom),
    notAfter: opensslTimeToIso(node.validTo),
    ...readKey(node, tbs),
    signatureAlgorithm: sigOid ? SIGNATURE_ALGORITHMS[sigOid] ?? sigOid : undefined,
    signatureAlgorithmOid: sigOid,
    isCa,
    pathLength,
    selfSigned,
    extensions: [...extensionValues.keys()],
    decoded: !!tbs,
    node,
  };
}
