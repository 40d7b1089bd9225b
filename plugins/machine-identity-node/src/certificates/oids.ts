/**
 * OpenSSL's short names for distinguished-name attributes, so subjects read the
 * way `openssl x509 -subject` prints them. Unknown attributes print as dotted OIDs.
 */
export const NAME_ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.18': 'postOfficeBox',
  '2.5.4.20': 'telephoneNumber',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.45': 'x500UniqueIdentifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.72': 'role',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.2.840.113549.1.9.2': 'unstructuredName',
  '1.2.840.113549.1.9.8': 'unstructuredAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

/** Public key algorithms by SPKI OID, with OpenSSL's name for each. */
export const KEY_ALGORITHMS: Record<string, { name: string; openssl: string }> = {
  '1.2.840.113549.1.1.1': { name: 'RSA', openssl: 'rsaEncryption' },
  '1.2.840.113549.1.1.10': { name: 'RSA-PSS', openssl: 'rsassaPss' },
  '1.2.840.10045.2.1': { name: 'EC', openssl: 'id-ecPublicKey' },
  '1.2.840.10040.4.1': { name: 'DSA', openssl: 'dsaEncryption' },
  '1.3.101.110': { name: 'X25519', openssl: 'X25519' },
  '1.3.101.111': { name: 'X448', openssl: 'X448' },
  '1.3.101.112': { name: 'Ed25519', openssl: 'ED25519' },
  '1.3.101.113': { name: 'Ed448', openssl: 'ED448' },
  '1.2.643.2.2.19': { name: 'GOST R 34.10-2001', openssl: 'GOST' },
  '1.2.643.7.1.1.1.1': { name: 'GOST R 34.10-2012 256', openssl: 'GOST' },
  '1.2.643.7.1.1.1.2': { name: 'GOST R 34.10-2012 512', openssl: 'GOST' },
  '2.16.840.1.101.3.4.3.17': { name: 'ML-DSA-44', openssl: '2.16.840.1.101.3.4.3.17' },
  '2.16.840.1.101.3.4.3.18': { name: 'ML-DSA-65', openssl: '2.16.840.1.101.3.4.3.18' },
  '2.16.840.1.101.3.4.3.19': { name: 'ML-DSA-87', openssl: '2.16.840.1.101.3.4.3.19' },
  '2.16.840.1.101.3.4.4.1': { name: 'ML-KEM-512', openssl: '2.16.840.1.101.3.4.4.1' },
  '2.16.840.1.101.3.4.4.2': { name: 'ML-KEM-768', openssl: '2.16.840.1.101.3.4.4.2' },
  '2.16.840.1.101.3.4.4.3': { name: 'ML-KEM-1024', openssl: '2.16.840.1.101.3.4.4.3' },
};

/** Signature algorithms by OID, named as OpenSSL names them. */
export const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.1': 'dsa_with_SHA224',
  '2.16.840.1.101.3.4.3.2': 'dsa_with_SHA256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
  '1.2.643.2.2.3': 'GOST',
  '1.2.643.7.1.1.3.2': 'GOST',
  '1.2.643.7.1.1.3.3': 'GOST',
};

/** Named curves by OID. */
export const CURVES: Record<string, { name: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
};

/** Named curves by the OpenSSL name Node reports (`asymmetricKeyDetails.namedCurve`). */
export const CURVES_BY_OPENSSL_NAME: Record<string, { name: string; bits: number }> = {
  prime256v1: { name: 'P-256', bits: 256 },
  secp384r1: { name: 'P-384', bits: 384 },
  secp521r1: { name: 'P-521', bits: 521 },
  secp224r1: { name: 'P-224', bits: 224 },
  prime192v1: { name: 'P-192', bits: 192 },
  secp256k1: { name: 'secp256k1', bits: 256 },
  brainpoolP256r1: { name: 'brainpoolP256r1', bits: 256 },
  brainpoolP384r1: { name: 'brainpoolP384r1', bits: 384 },
  brainpoolP512r1: { name: 'brainpoolP512r1', bits: 512 },
};

/** SPKI algorithm OIDs by Node's `KeyObject.asymmetricKeyType`. */
export const KEY_TYPE_OIDS: Record<string, string> = {
  rsa: '1.2.840.113549.1.1.1',
  'rsa-pss': '1.2.840.113549.1.1.10',
  ec: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
};
