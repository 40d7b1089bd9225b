import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import * as asn1js from 'asn1js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { id_data } from '@peculiar/asn1-cms';
import { AuthenticatedSafe, CertBag, id_certBag, id_SafeContents, id_x509Certificate, PFX, SafeContents } from '@peculiar/asn1-pfx';
import { InputError } from '@backstage/errors';

const ID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const HMAC_PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};
/** PKCS#12 password-based encryption (RFC 7292 appendix C), SHA-1 key derivation. */
const PKCS12_PBE: Record<string, { cipher: 'des-ede3-cbc' | 'rc2'; keyLength: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede3-cbc', keyLength: 16 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLength: 16 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLength: 5 },
};
const DIGESTS: Record<string, { name: string; blockSize: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', blockSize: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', blockSize: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', blockSize: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', blockSize: 128 },
};
const WRONG_PASSWORD = 'PKCS#12 store could not be opened: wrong or missing pkcs12Password';
const MAX_ITERATIONS = 10_000_000;

/** The password as PKCS#12 key derivation wants it: BMPString (UTF-16BE) with a two-byte terminator. */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** RFC 7292 appendix B.2 key derivation (`id` 1 key, 2 IV, 3 MAC key). */
function pkcs12Kdf(digest: { name: string; blockSize: number }, password: Buffer, salt: Buffer, iterations: number, id: number, length: number): Buffer {
  const v = digest.blockSize;
  const fill = (data: Buffer) => {
    const size = data.length === 0 ? 0 : v * Math.ceil(data.length / v);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = data[i % data.length];
    return out;
  };
  let input = Buffer.concat([fill(salt), fill(password)]);
  const diversifier = Buffer.alloc(v, id);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let a = createHash(digest.name).update(diversifier).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash(digest.name).update(a).digest();
    blocks.push(a);
    produced += a.length;
    const b = fill(a).subarray(0, v);
    const next = Buffer.from(input);
    for (let j = 0; j < next.length / v; j++) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = next[j * v + k] + b[k] + carry;
        next[j * v + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
    input = next;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** Children of a constructed ASN.1 element, or undefined. */
function children(block: asn1js.AsnType): asn1js.AsnType[] | undefined {
  const value = (block as asn1js.Sequence).valueBlock?.value;
  return Array.isArray(value) ? (value as asn1js.AsnType[]) : undefined;
}

function oid(block: asn1js.AsnType | undefined): string | undefined {
  return block instanceof asn1js.ObjectIdentifier ? block.valueBlock.toString() : undefined;
}

function octets(block: asn1js.AsnType | undefined): Buffer | undefined {
  return block instanceof asn1js.OctetString ? Buffer.from(block.valueBlock.valueHexView) : undefined;
}

function integer(block: asn1js.AsnType | undefined): number | undefined {
  return block instanceof asn1js.Integer ? block.valueBlock.valueDec : undefined;
}

function checkIterations(iterations: number | undefined): number {
  if (!iterations || iterations < 1 || iterations > MAX_ITERATIONS) throw new InputError('PKCS#12 store has an unusable iteration count');
  return iterations;
}

/** Decrypts an EncryptedData ContentInfo (certificate bags, as OpenSSL writes them) into SafeContents bytes. */
function decryptEncryptedData(content: ArrayBuffer, password: string): Buffer {
  const root = asn1js.fromBER(content).result;
  const info = children(root)?.[1];
  const [, algorithm, encrypted] = children(info ?? root) ?? [];
  const [algorithmOid, params] = children(algorithm ?? root) ?? [];
  // [0] IMPLICIT OCTET STRING, primitive or (BER) in chunks.
  const chunks = encrypted ? children(encrypted) : undefined;
  const ciphertext = !encrypted
    ? undefined
    : chunks
      ? Buffer.concat(chunks.map(c => octets(c) ?? Buffer.alloc(0)))
      : Buffer.from((encrypted as asn1js.Primitive).valueBlock.valueHexView);
  if (!ciphertext) throw new InputError('PKCS#12 encrypted contents could not be read');
  const algo = oid(algorithmOid);
  let decipher: (data: Buffer) => Buffer;
  if (algo === PBES2) {
    const [kdf, scheme] = children(params!) ?? [];
    const [kdfOid, kdfParams] = children(kdf!) ?? [];
    const [saltBlock, iterationsBlock, ...rest] = children(kdfParams!) ?? [];
    const prf = rest.find(r => children(r)) ?? undefined;
    const hash = prf ? HMAC_PRF[oid(children(prf)![0]) ?? ''] : 'sha1';
    const [schemeOid, ivBlock] = children(scheme!) ?? [];
    const cipher = PBES2_CIPHERS[oid(schemeOid) ?? ''];
    const salt = octets(saltBlock);
    const iv = octets(ivBlock);
    if (oid(kdfOid) !== PBKDF2 || !hash || !cipher || !salt || !iv) throw new InputError('PKCS#12 store uses an unsupported encryption');
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, checkIterations(integer(iterationsBlock)), cipher.keyLength, hash);
    decipher = data => {
      const d = createDecipheriv(cipher.name, key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    };
  } else if (algo && PKCS12_PBE[algo]) {
    const { cipher, keyLength } = PKCS12_PBE[algo];
    const [saltBlock, iterationsBlock] = children(params!) ?? [];
    const salt = octets(saltBlock);
    if (!salt) throw new InputError('PKCS#12 store uses an unsupported encryption');
    const iterations = checkIterations(integer(iterationsBlock));
    const pass = bmpPassword(password);
    const key = pkcs12Kdf(DIGESTS['1.3.14.3.2.26'], pass, salt, iterations, 1, keyLength);
    const iv = pkcs12Kdf(DIGESTS['1.3.14.3.2.26'], pass, salt, iterations, 2, 8);
    decipher = data => {
      if (cipher === 'rc2') {
        // RC2 is only in OpenSSL's legacy provider: node-forge's cipher decrypts these certificate containers.
        const rc2 = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), keyLength * 8);
        rc2.start(forge.util.createBuffer(iv.toString('binary')));
        rc2.update(forge.util.createBuffer(data.toString('binary')));
        if (!rc2.finish()) throw new InputError(WRONG_PASSWORD);
        return Buffer.from(rc2.output.getBytes(), 'binary');
      }
      const key3 = keyLength === 16 ? Buffer.concat([key, key.subarray(0, 8)]) : key;
      const d = createDecipheriv('des-ede3-cbc', key3, iv);
      return Buffer.concat([d.update(data), d.final()]);
    };
  } else {
    throw new InputError('PKCS#12 store uses an unsupported encryption');
  }
  try {
    return decipher(ciphertext);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(WRONG_PASSWORD);
  }
}

/** Checks the store's MAC; returns the password that verifies it (stores made with no password use an empty one). */
function verifyMac(pfx: PFX, authSafe: Buffer, password: string | undefined): string {
  const mac = pfx.macData;
  if (!mac) return password ?? '';
  const digest = DIGESTS[mac.mac.digestAlgorithm.algorithm];
  if (!digest) throw new InputError('PKCS#12 store uses an unsupported MAC');
  const expected = Buffer.from(mac.mac.digest.buffer);
  const salt = Buffer.from(mac.macSalt.buffer);
  const iterations = checkIterations(mac.iterations ?? 1);
  const candidates = password === undefined || password === '' ? [bmpPassword(''), Buffer.alloc(0)] : [bmpPassword(password)];
  for (const candidate of candidates) {
    const key = pkcs12Kdf(digest, candidate, salt, iterations, 3, createHash(digest.name).digest().length);
    const actual = createHmac(digest.name, key).update(authSafe).digest();
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return password ?? '';
  }
  throw new InputError(WRONG_PASSWORD);
}

/** Certificates of one SafeContents, nested SafeContents bags included; key bags are skipped unread. */
function certificatesOf(safeContents: Buffer, out: Buffer[], depth = 0): void {
  if (depth > 4) return;
  for (const bag of AsnConvert.parse(safeContents, SafeContents)) {
    if (bag.bagId === id_SafeContents) {
      certificatesOf(Buffer.from(bag.bagValue), out, depth + 1);
    } else if (bag.bagId === id_certBag) {
      const cert = AsnConvert.parse(bag.bagValue, CertBag);
      if (cert.certId !== id_x509Certificate) continue;
      out.push(Buffer.from(AsnConvert.parse(cert.certValue, OctetString).buffer));
    }
  }
}

/**
 * Certificates of a PKCS#12 store, read with @peculiar/asn1-pfx: the MAC is
 * checked with the password, password-encrypted containers of certificate
 * bags are decrypted (PBES2 with AES or 3DES, or PKCS#12 3DES/RC2), and
 * certificate bags are kept as their original DER. Key bags — shrouded or
 * not — are never decrypted or decoded.
 */
export function readPkcs12Certificates(der: Buffer, password: string | undefined): Buffer[] {
  let pfx: PFX;
  let authSafeBytes: Buffer;
  try {
    pfx = AsnConvert.parse(der, PFX);
    if (pfx.authSafe.contentType !== id_data) throw new InputError('PKCS#12 stores in public-key integrity mode are not supported');
    authSafeBytes = Buffer.from(AsnConvert.parse(pfx.authSafe.content, OctetString).buffer);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(`PKCS#12 store could not be read: ${(e as Error).message}`);
  }
  const usable = verifyMac(pfx, authSafeBytes, password);
  const out: Buffer[] = [];
  try {
    for (const info of AsnConvert.parse(authSafeBytes, AuthenticatedSafe)) {
      if (info.contentType === id_data) {
        certificatesOf(Buffer.from(AsnConvert.parse(info.content, OctetString).buffer), out);
      } else if (info.contentType === ID_ENCRYPTED_DATA) {
        certificatesOf(decryptEncryptedData(info.content, usable), out);
      }
    }
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(`PKCS#12 store could not be read: ${(e as Error).message}`);
  }
  return out;
}
