import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A certificate made at test time, with its private key as PEM (test use only). */
export interface TestCertificate {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  certPem: string;
  keyPem: string;
  der: Buffer;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** Key algorithm choices for test certificates. */
export type TestKeyType = 'rsa2048' | 'ec256' | 'ec384';

function algorithm(type: TestKeyType) {
  if (type === 'rsa2048') return RSA;
  if (type === 'ec384') return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  return EC;
}

function signing(type: TestKeyType) {
  return type === 'rsa2048' ? RSA : { name: 'ECDSA', hash: type === 'ec384' ? 'SHA-384' : 'SHA-256' };
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<TestCertificate> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as any);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { cert, keys, certPem: `${cert.toString('pem').trim()}\n`, keyPem, der: Buffer.from(cert.rawData) };
}

/** Options for a test certificate. */
export interface TestCertificateOptions {
  subject: string;
  keyType?: TestKeyType;
  dnsNames?: string[];
  ipAddresses?: string[];
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  serialNumber?: string;
  /** The issuing CA; self-signed when absent. */
  issuer?: TestCertificate;
}

/** Makes a certificate (self-signed, or issued by `issuer`) with WebCrypto and @peculiar/x509. */
export async function makeCertificate(options: TestCertificateOptions): Promise<TestCertificate> {
  const keyType = options.keyType ?? 'ec256';
  const keys = (await webcrypto.subtle.generateKey(algorithm(keyType) as any, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(!!options.ca, undefined, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const names: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map(value => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map(value => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (options.ca) {
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  }
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * 86400_000);
  const serialNumber = options.serialNumber ?? webcrypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7');
  if (!options.issuer) {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber,
      name: options.subject,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signing(keyType),
      extensions,
    });
    return finish(cert, keys);
  }
  const issuerKeyType: TestKeyType = options.issuer.keys.privateKey.algorithm.name === 'ECDSA'
    ? ((options.issuer.keys.privateKey.algorithm as EcKeyAlgorithm).namedCurve === 'P-384' ? 'ec384' : 'ec256')
    : 'rsa2048';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: options.subject,
    issuer: options.issuer.cert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: options.issuer.keys.privateKey,
    signingAlgorithm: signing(issuerKeyType),
    extensions,
  });
  return finish(cert, keys);
}

/** A test PKI: root → intermediate → leaves. */
export interface TestPki {
  root: TestCertificate;
  intermediate: TestCertificate;
}

/** Makes a root CA (RSA) and an intermediate CA (EC) under it. */
export async function makeTestPki(name = 'Keyring Test'): Promise<TestPki> {
  const root = await makeCertificate({ subject: `CN=${name} Root CA, O=Keyring Tests, C=DE`, keyType: 'rsa2048', ca: true, notAfter: new Date(Date.now() + 3650 * 86400_000) });
  const intermediate = await makeCertificate({
    subject: `CN=${name} Issuing CA, O=Keyring Tests, C=DE`,
    keyType: 'ec256',
    ca: true,
    issuer: root,
    notAfter: new Date(Date.now() + 1825 * 86400_000),
  });
  return { root, intermediate };
}
