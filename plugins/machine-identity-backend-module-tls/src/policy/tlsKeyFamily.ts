/** Key families and curve sizes of certificates, for `tls.key-size`. */

/** The key family of a certificate, from the many spellings scanners and libraries use. */
export function tlsKeyFamily(
  keyAlgorithm: string | undefined,
): 'rsa' | 'ec' | 'eddsa' | 'dsa' | undefined {
  if (!keyAlgorithm) {
    return undefined;
  }
  const alg = keyAlgorithm.toLowerCase();
  if (alg.includes('rsa')) {
    return 'rsa';
  }
  if (alg.includes('ed25519') || alg.includes('ed448') || alg === 'eddsa') {
    return 'eddsa';
  }
  if (alg === 'ec' || alg.includes('ecdsa') || alg.includes('ecpublickey')) {
    return 'ec';
  }
  if (alg.includes('dsa')) {
    return 'dsa';
  }
  return undefined;
}

const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp192r1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256r1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

/** Bits of an elliptic curve named `P-256`, `prime256v1`, `secp384r1`, `brainpoolP256r1`… */
export function curveBits(curve: string | undefined): number | undefined {
  if (!curve) {
    return undefined;
  }
  const known = CURVE_BITS[curve.toLowerCase()];
  if (known) {
    return known;
  }
  const digits = /(\d{3})/.exec(curve);
  return digits ? Number(digits[1]) : undefined;
}
