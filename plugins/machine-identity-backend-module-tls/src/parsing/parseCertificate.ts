import 'reflect-metadata';
import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
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
  /** Serial number as lower-case hex without leading zeros (two's complement bytes if negative). */
  serialNumber: string;
  serialNegative: boolean;
  notBefore: string;
  notAfter: string;
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
  let m: RegExpMatchArray | null;
  if (node.tag === 23) {
    m = text.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/);
    if (!m) throw new InputError(`bad UTCTime ${JSON.stringify(text)}`);
    const yy = Number(m[1]);
    const year = yy < 50 ? 2000 + yy : 1900 + yy;
    return `${String(year).padStart(4, '0')}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.000Z`;
  }
  m = text.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/);
  if (!m) throw new InputError(`bad GeneralizedTime ${JSON.stringify(text)}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4 || bytes.length === 16) {
    return ipaddr.fromByteArray(Array.from(bytes)).toString();
  }
  return '<invalid>';
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
        out.push(`othername:${typeId ? derOid(typeId) : ''}`);
        break;
      }
      case 1:
        out.push(`email:${content.toString('latin1')}`);
        break;
      case 2:
        out.push(`DNS:${content.toString('latin1')}`);
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
        out.push(`URI:${content.toString('latin1')}`);
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

function readBasicConstraints(der: Buffer, extnValue: Buffer | undefined): { isCa: boolean; pathLength?: number } {
  if (!extnValue) return { isCa: false };
  try {
    const cert = new x509.X509Certificate(new Uint8Array(der));
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    if (bc) return { isCa: bc.ca, pathLength: bc.pathLength };
  } catch {
    // @peculiar/x509 is stricter than OpenSSL; fall back to reading the extension directly.
  }
  const children = derChildren(readDer(extnValue));
  const first = children[0];
  const isCa = !!first && first.tag === 1 && derContent(first)[0] !== 0;
  const lenNode = children.find(c => c.tag === 2);
  return { isCa, pathLength: lenNode ? derContent(lenNode).readUIntBE(0, Math.min(6, lenNode.end - lenNode.start)) : undefined };
}

/**
 * Parses one DER certificate. Node's `crypto.X509Certificate` (OpenSSL) decides
 * whether the certificate is well-formed; names, SANs and algorithms are read
 * from the DER directly so nothing Node hides (signature algorithm, extensions,
 * unknown key types) is lost. Throws an `InputError` for malformed input.
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
    i++; // inner signature algorithm
    const issuer = tbsParts[i++];
    const validity = tbsParts[i++];
    const subject = tbsParts[i++];
    const spki = tbsParts[i++];
    const extensionsWrapper = tbsParts.slice(i).find(p => p.cls === 2 && p.tag === 3);

    const extensions = new Map<string, Buffer>();
    if (extensionsWrapper) {
      const [list] = derChildren(extensionsWrapper);
      for (const ext of list ? derChildren(list) : []) {
        const parts = derChildren(ext);
        const oid = derOid(parts[0]);
        const value = parts[parts.length - 1];
        if (!extensions.has(oid)) extensions.set(oid, derContent(value));
      }
    }

    const serialBytes = derContent(serial);
    let start = 0;
    while (start < serialBytes.length - 1 && serialBytes[start] === 0) start++;
    const serialNumber = serialBytes.subarray(start).toString('hex') || '0';

    const [notBeforeNode, notAfterNode] = derChildren(validity);
    const subjectAttributes = readName(subject);
    const issuerAttributes = readName(issuer);
    const sans = extensions.has('2.5.29.17') ? readGeneralNamesSafe(extensions.get('2.5.29.17')!) : [];
    const sigOid = derOid(derChildren(sigAlg)[0]);
    const { isCa, pathLength } = readBasicConstraints(der, extensions.get('2.5.29.19'));
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
      serialNegative: serialBytes.length > 0 && (serialBytes[0] & 0x80) !== 0,
      notBefore: readTime(notBeforeNode),
      notAfter: readTime(notAfterNode),
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
