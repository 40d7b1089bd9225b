import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { InputError } from '@backstage/errors';
import { DerNode, derChildren, derContent, derOid, readDer } from './der';
import { formatName, formatNameSlashed, NameAttribute, readName } from './distinguishedName';
import { CURVES, KEY_ALGORITHMS, SIGNATURE_ALGORITHMS } from './oids';

/** Everything Keyring reads from one X.509 certificate. Never holds key material beyond the public key. */
export interface ParsedCertificate {
  /** Lower-case hex SHA-256 of the DER encoding. */
  fingerprintSha256: string;
  der: Buffer;
  /** Subject in certificate order, OpenSSL style: `CN = api.example.test, O = Example`. */
  subject: string;
  issuer: string;
  subjectAttributes: NameAttribute[];
  /** Raw DER of subject and issuer names (for issuer matching). */
  subjectDer: Buffer;
  issuerDer: Buffer;
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
  /** OpenSSL's name of the signature algorithm (`sha256WithRSAEncryption`), or the dotted OID. */
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  isCa: boolean;
  pathLength?: number;
  selfSigned: boolean;
  /** Extension OIDs present. */
  extensions: string[];
  /** Node's view of the certificate, used for signature checks. */
  node: NodeX509Certificate;
}

function bitLength(integer: Buffer): number {
  let i = 0;
  while (i < integer.length && integer[i] === 0) i++;
  if (i === integer.length) return 0;
  return (integer.length - i - 1) * 8 + (32 - Math.clz32(integer[i]));
}

function readTime(node: DerNode): string {
  const text = derContent(node).toString('latin1');
  // DER demands YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ; OpenSSL also accepts a missing
  // seconds field, fractions and UTC offsets, so Keyring does too.
  const m = text.match(
    node.tag === 23
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?()(Z|[+-]\d{4})$/
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(\.\d+)?(Z|[+-]\d{4})$/,
  );
  if (!m) throw new InputError(`Malformed X.509 certificate: bad time ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (node.tag === 23) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms);
  if (m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const offsetMinutes = Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(3, 5));
    date.setTime(date.getTime() - sign * offsetMinutes * 60_000);
  }
  const iso = date.toISOString();
  // toISOString gives ±YYYYYY for years outside 0..9999; certificates cannot express those.
  return iso;
}

function readTimeSafe(node: DerNode | undefined): string | undefined {
  if (!node) return undefined;
  try {
    return readTime(node);
  } catch {
    return undefined;
  }
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

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4 || bytes.length === 16) {
    return ipaddr.fromByteArray(Array.from(bytes)).toString();
  }
  return `<invalid length=${bytes.length}>`;
}

function readGeneralNames(extnValue: Buffer): string[] {
  const out: string[] = [];
  const seq = readDer(extnValue);
  for (const gn of derChildren(seq)) {
    if (gn.cls !== 2) continue;
    const content = derContent(gn);
    switch (gn.tag) {
      case 0: {
        const [typeId] = derChildren(gn);
        const typeOid = typeId ? derOid(typeId) : '';
        out.push(`othername:${OTHER_NAME_TYPES[typeOid] ?? typeOid}`);
        break;
      }
      case 1:
        out.push(`email:${content.toString('utf8')}`);
        break;
      case 2:
        out.push(`DNS:${content.toString('utf8')}`);
        break;
      case 3:
        out.push('X400Name:<unsupported>');
        break;
      case 4: {
        const [name] = derChildren(gn);
        out.push(`DirName:${name ? formatNameSlashed(readName(name)) : ''}`);
        break;
      }
      case 5:
        out.push('EdiPartyName:<unsupported>');
        break;
      case 6:
        out.push(`URI:${content.toString('utf8')}`);
        break;
      case 7:
        out.push(`IP Address:${formatIp(content)}`);
        break;
      case 8: {
        const oidNode: DerNode = { ...gn, cls: 0, tag: 6 };
        out.push(`Registered ID:${derOid(oidNode)}`);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function readKey(spki: DerNode): Pick<ParsedCertificate, 'keyAlgorithm' | 'keyAlgorithmOid' | 'keySize' | 'curve'> {
  const [algId, bits] = derChildren(spki);
  const [oidNode, params] = derChildren(algId);
  const oid = derOid(oidNode);
  const known = KEY_ALGORITHMS[oid];
  const keyAlgorithm = known?.name ?? oid;
  // BIT STRING content: one byte of unused bits, then the key.
  const keyBytes = derContent(bits).subarray(1);
  try {
    if (oid === '1.2.840.113549.1.1.1' || oid === '1.2.840.113549.1.1.10') {
      const [modulus] = derChildren(readDer(keyBytes));
      return { keyAlgorithm, keyAlgorithmOid: oid, keySize: bitLength(derContent(modulus)) };
    }
    if (oid === '1.2.840.10045.2.1') {
      if (params && params.tag === 6) {
        const curveOid = derOid(params);
        const curve = CURVES[curveOid];
        return {
          keyAlgorithm,
          keyAlgorithmOid: oid,
          curve: curve?.name ?? curveOid,
          keySize: curve?.bits,
        };
      }
      if (params && params.tag === 16) {
        // Explicit curve parameters: the size is that of the field prime.
        const [, fieldId] = derChildren(params);
        const [, prime] = fieldId ? derChildren(fieldId) : [];
        if (prime) return { keyAlgorithm, keyAlgorithmOid: oid, keySize: bitLength(derContent(prime)), curve: 'explicit' };
      }
      return { keyAlgorithm, keyAlgorithmOid: oid };
    }
    if (oid === '1.2.840.10040.4.1') {
      if (params && params.tag === 16) {
        const [p] = derChildren(params);
        return { keyAlgorithm, keyAlgorithmOid: oid, keySize: bitLength(derContent(p)) };
      }
      return { keyAlgorithm, keyAlgorithmOid: oid };
    }
    if (oid === '1.3.101.112' || oid === '1.3.101.110') {
      return { keyAlgorithm, keyAlgorithmOid: oid, keySize: 256, curve: oid === '1.3.101.112' ? 'Ed25519' : 'X25519' };
    }
    if (oid === '1.3.101.113' || oid === '1.3.101.111') {
      return { keyAlgorithm, keyAlgorithmOid: oid, keySize: 456, curve: oid === '1.3.101.113' ? 'Ed448' : 'X448' };
    }
  } catch {
    // A malformed public key still leaves the algorithm known.
  }
  return { keyAlgorithm, keyAlgorithmOid: oid };
}

function readBasicConstraints(extnValue: Buffer | undefined): { isCa: boolean; pathLength?: number } {
  if (!extnValue) return { isCa: false };
  try {
    const children = derChildren(readDer(extnValue));
    const first = children[0];
    const isCa = !!first && first.tag === 1 && derContent(first)[0] !== 0;
    const lenNode = children.find(c => c.tag === 2);
    const pathLength =
      lenNode && lenNode.end > lenNode.start
        ? derContent(lenNode).readUIntBE(0, Math.min(6, lenNode.end - lenNode.start))
        : undefined;
    return { isCa, pathLength };
  } catch {
    // An undecodable basicConstraints extension grants nothing.
    return { isCa: false };
  }
}

/**
 * Parses one DER certificate. Node's `crypto.X509Certificate` (OpenSSL) decides
 * whether the certificate is well-formed; names, SANs, basicConstraints and
 * algorithms are read from the DER directly so nothing Node 20 hides (signature
 * algorithm, extensions, unknown key types) is lost. A small DER reader is used
 * rather than `@peculiar/x509`, which costs ~3 ms per certificate and refuses
 * certificates OpenSSL accepts. Throws an `InputError` for malformed input.
 */
export function parseCertificate(der: Buffer): ParsedCertificate {
  let node: NodeX509Certificate;
  try {
    node = new NodeX509Certificate(der);
  } catch (e) {
    throw new InputError(`Not a valid X.509 certificate: ${(e as Error).message}`);
  }
  try {
    const cert = readDer(der);
    const [tbs, sigAlg] = derChildren(cert);
    const tbsParts = derChildren(tbs);
    let i = 0;
    if (tbsParts[0]?.cls === 2 && tbsParts[0].tag === 0) i++;
    const serial = tbsParts[i++];
    const innerSigAlg = tbsParts[i++];
    const issuer = tbsParts[i++];
    const validity = tbsParts[i++];
    const subject = tbsParts[i++];
    const spki = tbsParts[i++];
    const extensionsWrapper = tbsParts.slice(i).find(p => p.cls === 2 && p.tag === 3);

    const extensions = new Map<string, Buffer>();
    const sanValues: Buffer[] = [];
    if (extensionsWrapper) {
      const [list] = derChildren(extensionsWrapper);
      for (const ext of list ? derChildren(list) : []) {
        const parts = derChildren(ext);
        const oid = derOid(parts[0]);
        const value = parts[parts.length - 1];
        if (!extensions.has(oid)) extensions.set(oid, derContent(value));
        if (oid === '2.5.29.17') sanValues.push(derContent(value));
      }
    }

    const serialBytes = derContent(serial);
    const serialNegative = serialBytes.length > 0 && (serialBytes[0] & 0x80) !== 0;
    const serialNumber = serialNegative
      ? `-${(-BigInt.asIntN(serialBytes.length * 8, BigInt(`0x${serialBytes.toString('hex')}`))).toString(16)}`
      : BigInt(`0x${serialBytes.toString('hex') || '0'}`).toString(16);

    const [notBeforeNode, notAfterNode] = derChildren(validity);
    const subjectAttributes = readName(subject);
    const issuerAttributes = readName(issuer);
    // Every subjectAltName extension counts (a duplicate is invalid, but its names are still presented).
    const sans = sanValues.flatMap(readGeneralNamesSafe);
    // The tbsCertificate's copy, as OpenSSL prints it (RFC 5280 requires both to be equal).
    const sigOid = derOid(derChildren(innerSigAlg ?? sigAlg)[0]);
    const { isCa, pathLength } = readBasicConstraints(extensions.get('2.5.29.19'));
    const subjectDer = der.subarray(subject.headerStart, subject.end);
    const issuerDer = der.subarray(issuer.headerStart, issuer.end);

    let selfSigned = false;
    if (subjectDer.equals(issuerDer)) {
      try {
        selfSigned = node.verify(node.publicKey);
      } catch {
        selfSigned = false;
      }
    }

    return {
      fingerprintSha256: createHash('sha256').update(der).digest('hex'),
      der,
      subject: formatName(subjectAttributes),
      issuer: formatName(issuerAttributes),
      subjectAttributes,
      subjectDer,
      issuerDer,
      sans,
      dnsNames: sans.filter(s => s.startsWith('DNS:')).map(s => s.slice(4)),
      serialNumber,
      notBefore: readTimeSafe(notBeforeNode),
      notAfter: readTimeSafe(notAfterNode),
      ...readKey(spki),
      signatureAlgorithm: SIGNATURE_ALGORITHMS[sigOid] ?? sigOid,
      signatureAlgorithmOid: sigOid,
      isCa,
      pathLength,
      selfSigned,
      extensions: [...extensions.keys()],
      node,
    };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`Malformed X.509 certificate: ${(e as Error).message}`);
  }
}

function readGeneralNamesSafe(value: Buffer): string[] {
  try {
    return readGeneralNames(value);
  } catch {
    return [];
  }
}
