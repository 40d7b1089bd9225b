import { createHash } from 'node:crypto';
import sshpk from 'sshpk';
import { SshWireReader } from './SshWireReader';
import { lookupSshKeyType } from './sshKeyTypes';

/** Facts from an OpenSSH certificate (PROTOCOL.certkeys). Never secret. */
export interface SshCertificateInfo {
  serial: string;
  /** `user` or `host`. */
  certType: 'user' | 'host' | 'unknown';
  keyId: string;
  principals: string[];
  /** ISO-8601, absent when the certificate is valid from the beginning of time. */
  validAfter?: string;
  /** ISO-8601, absent when the certificate never expires. */
  validBefore?: string;
  criticalOptions: string[];
  extensions: string[];
  /** OpenSSH `SHA256:` fingerprint of the signing CA key. */
  signingCaFingerprint: string;
  /** Lower-case hex SHA-256 of the signing CA key blob. */
  signingCaFingerprintSha256: string;
}

/** A parsed SSH public key or certificate. */
export interface ParsedSshKey {
  /** Wire type name, e.g. `ssh-ed25519` or `ssh-rsa-cert-v01@openssh.com`. */
  sshKeyType: string;
  /** Plain key type, e.g. `ssh-rsa` for an RSA certificate. */
  baseKeyType: string;
  keyAlgorithm: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519';
  keySize: number;
  curve?: string;
  securityKey: boolean;
  /** Application string of a security key (`ssh:` usually). */
  application?: string;
  /** The label `ssh-keygen -l` prints: `RSA`, `ED25519-CERT`, `ECDSA-SK` … */
  label: string;
  /**
   * Lower-case hex SHA-256 over the plain public key blob. For a
   * certificate this is the certified key's fingerprint, as OpenSSH computes
   * it, so a key and its certificates are one identity.
   */
  fingerprintSha256: string;
  /** The same digest in OpenSSH's form, `SHA256:<unpadded base64>`. */
  openSshFingerprint: string;
  certificate?: SshCertificateInfo;
}

const MAX_U64 = 0xffffffffffffffffn;
/** OpenSSH limits certificate times to what fits in a signed 64-bit time_t. */
const MAX_DATE_SECONDS = 8_640_000_000_000n;

/** `SHA256:` base64 form of a hex digest. */
export function openSshFingerprintFromHex(hex: string): string {
  return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}

function digest(blob: Buffer): { hex: string; openSsh: string } {
  const raw = createHash('sha256').update(blob).digest();
  return {
    hex: raw.toString('hex'),
    openSsh: `SHA256:${raw.toString('base64').replace(/=+$/, '')}`,
  };
}

function certTime(seconds: bigint, forever: bigint): string | undefined {
  if (seconds === forever || seconds > MAX_DATE_SECONDS) return undefined;
  return new Date(Number(seconds) * 1000).toISOString();
}

function readStringList(buffer: Buffer): string[] {
  const reader = new SshWireReader(buffer);
  const out: string[] = [];
  while (!reader.atEnd()) out.push(reader.readUtf8());
  return out;
}

/** Names of an options/extensions map (name, data pairs). */
function readOptionNames(buffer: Buffer): string[] {
  const reader = new SshWireReader(buffer);
  const out: string[] = [];
  while (!reader.atEnd()) {
    out.push(reader.readUtf8());
    reader.readString();
  }
  return out;
}

/**
 * Reads the public fields of a plain key type from `reader` and returns the
 * key size in bits (and the FIDO application for security keys).
 */
function readKeyFields(
  reader: SshWireReader,
  baseName: string,
  curve: string | undefined,
  fixedBits: number | undefined,
): { bits: number; application?: string } {
  if (baseName === 'ssh-rsa') {
    reader.readString(); // e
    return { bits: reader.readMpintBits() };
  }
  if (baseName === 'ssh-dss') {
    const bits = reader.readMpintBits(); // p
    reader.readString(); // q
    reader.readString(); // g
    reader.readString(); // y
    return { bits };
  }
  let application: string | undefined;
  if (curve) {
    const named = reader.readUtf8();
    if (named !== curve) {
      const shown = ['nistp256', 'nistp384', 'nistp521'].includes(named) ? named : '(unknown)';
      throw new Error(`curve ${shown} does not match key type ${baseName}`);
    }
    const point = reader.readString();
    const coordinate = Math.ceil(fixedBits! / 8);
    if (point.length !== 1 + 2 * coordinate || point[0] !== 4) {
      throw new Error(`invalid ${curve} public point`);
    }
  } else {
    const pk = reader.readString();
    if (pk.length !== 32) throw new Error('invalid Ed25519 public key length');
  }
  if (baseName.startsWith('sk-')) application = reader.readUtf8();
  return { bits: fixedBits!, application };
}

/**
 * Parses an SSH public key or OpenSSH certificate blob (the base64-decoded
 * middle field of an authorized_keys or known_hosts line).
 *
 * Plain RSA, DSA, ECDSA and Ed25519 keys are parsed by sshpk; security-key
 * (`sk-…`) types and certificates, which sshpk 1.18 rejects, by a bounds-checked
 * SSH wire-format reader. Throws on anything malformed, including trailing
 * data and a type name that differs from `expectedType`.
 */
export function parseSshKeyBlob(blob: Buffer, expectedType?: string): ParsedSshKey {
  const reader = new SshWireReader(blob);
  const typeName = reader.readUtf8();
  if (expectedType !== undefined && typeName !== expectedType) {
    const shown = lookupSshKeyType(typeName) ? typeName : 'an unknown type';
    throw new Error(`key type ${expectedType} does not match the key data (${shown})`);
  }
  const known = lookupSshKeyType(typeName);
  if (!known) throw new Error('unsupported key type in the key data');
  const { base, certificate } = known;

  if (!certificate) {
    // OpenSSH rejects trailing data after the key's fields; sshpk does not.
    const fields = readKeyFields(reader, base.name, base.curve, base.bits);
    if (!reader.atEnd()) throw new Error('unexpected trailing data in key');
    const { application } = fields;
    // sshpk parses the plain types it knows: it validates the parts and sizes the key.
    const bits = base.securityKey ? fields.bits : sshpk.parseKey(blob, 'rfc4253').size;
    const fp = digest(blob);
    return {
      sshKeyType: typeName,
      baseKeyType: base.name,
      keyAlgorithm: base.keyAlgorithm,
      keySize: bits,
      curve: base.curve,
      securityKey: base.securityKey,
      application,
      label: base.label,
      fingerprintSha256: fp.hex,
      openSshFingerprint: fp.openSsh,
    };
  }

  reader.readString(); // nonce
  const fieldsStart = reader.offset;
  const { bits, application } = readKeyFields(reader, base.name, base.curve, base.bits);
  const fieldsEnd = reader.offset;
  const serial = reader.readUInt64();
  const certTypeCode = reader.readUInt32();
  const keyId = reader.readUtf8();
  const principals = readStringList(reader.readString());
  const validAfter = reader.readUInt64();
  const validBefore = reader.readUInt64();
  const criticalOptions = readOptionNames(reader.readString());
  const extensions = readOptionNames(reader.readString());
  reader.readString(); // reserved
  const signatureKey = reader.readString();
  reader.readString(); // signature
  if (!reader.atEnd()) throw new Error('unexpected trailing data in certificate');

  const nameBytes = Buffer.from(base.name, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(nameBytes.length);
  const plainBlob = Buffer.concat([header, nameBytes, reader.slice(fieldsStart, fieldsEnd)]);
  const fp = digest(plainBlob);
  const ca = digest(signatureKey);
  return {
    sshKeyType: typeName,
    baseKeyType: base.name,
    keyAlgorithm: base.keyAlgorithm,
    keySize: bits,
    curve: base.curve,
    securityKey: base.securityKey,
    application,
    label: `${base.label}-CERT`,
    fingerprintSha256: fp.hex,
    openSshFingerprint: fp.openSsh,
    certificate: {
      serial: serial.toString(),
      certType: certTypeCode === 1 ? 'user' : certTypeCode === 2 ? 'host' : 'unknown',
      keyId,
      principals,
      validAfter: certTime(validAfter, 0n),
      validBefore: certTime(validBefore, MAX_U64),
      criticalOptions,
      extensions,
      signingCaFingerprint: ca.openSsh,
      signingCaFingerprintSha256: ca.hex,
    },
  };
}
