import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Key types the demo CA can issue for. */
export type DemoKeyType = 'rsa-1024' | 'rsa-2048' | 'rsa-3072' | 'ec-p256' | 'ec-p384';

/** A certificate with its private key, both PEM. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  der: Buffer;
  cert: x509.X509Certificate;
}

interface KeyMaterial {
  keys: CryptoKeyPair;
  signingAlgorithm: Algorithm | EcdsaParams;
}

async function generateKeys(type: DemoKeyType, hash: 'SHA-256' | 'SHA-1'): Promise<KeyMaterial> {
  if (type.startsWith('rsa-')) {
    const alg = {
      name: 'RSASSA-PKCS1-v1_5',
      hash,
      publicExponent: new Uint8Array([1, 0, 1]),
      modulusLength: Number(type.slice(4)),
    };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    return { keys, signingAlgorithm: alg };
  }
  const namedCurve = type === 'ec-p256' ? 'P-256' : 'P-384';
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  return { keys, signingAlgorithm: { name: 'ECDSA', hash } as EcdsaParams };
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as any));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

const DAY = 86_400_000;

/** Options of one certificate the demo CA issues. */
export interface LeafOptions {
  commonName: string;
  dnsNames: string[];
  key: DemoKeyType;
  /** Days from now; negative is in the past. */
  notBeforeDays: number;
  notAfterDays: number;
  hash?: 'SHA-256' | 'SHA-1';
}

/**
 * A two-level demo CA (root → issuing CA) that issues server certificates.
 * Test and demo material only: never used for anything but loopback.
 */
export class DemoCertificateAuthority {
  private constructor(
    readonly name: string,
    readonly root: IssuedCertificate,
    readonly issuing: IssuedCertificate,
    private readonly issuingKey: CryptoKey,
  ) {}

  static async create(name: string): Promise<DemoCertificateAuthority> {
    const now = Date.now();
    const rootKeys = await generateKeys('ec-p384', 'SHA-256');
    const rootCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${name} Root CA, O=Keyring Demo`,
      keys: rootKeys.keys,
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: rootKeys.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.keys.publicKey),
      ],
    });
    const issuingKeys = await generateKeys('ec-p256', 'SHA-256');
    const issuingCert = await x509.X509CertificateGenerator.create({
      subject: `CN=${name} Issuing CA, O=Keyring Demo`,
      issuer: rootCert.subject,
      publicKey: issuingKeys.keys.publicKey,
      signingKey: rootKeys.keys.privateKey,
      notBefore: new Date(now - 30 * DAY),
      notAfter: new Date(now + 1825 * DAY),
      signingAlgorithm: rootKeys.signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(issuingKeys.keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.keys.publicKey),
      ],
    });
    return new DemoCertificateAuthority(
      name,
      await toIssued(rootCert, rootKeys.keys.privateKey),
      await toIssued(issuingCert, issuingKeys.keys.privateKey),
      issuingKeys.keys.privateKey,
    );
  }

  /** Issues a server certificate signed by the issuing CA. */
  async issue(options: LeafOptions): Promise<IssuedCertificate> {
    const km = await generateKeys(options.key, options.hash ?? 'SHA-256');
    const issuerHash = options.hash ?? 'SHA-256';
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${options.commonName}, O=Keyring Demo`,
      issuer: this.issuing.cert.subject,
      publicKey: km.keys.publicKey,
      signingKey: this.issuingKey,
      notBefore: new Date(Date.now() + options.notBeforeDays * DAY),
      notAfter: new Date(Date.now() + options.notAfterDays * DAY),
      signingAlgorithm: { name: 'ECDSA', hash: issuerHash } as EcdsaParams,
      extensions: leafExtensions(options.dnsNames),
    });
    return toIssued(cert, km.keys.privateKey);
  }

  /** Issues a self-signed server certificate (not from this CA). */
  static async selfSigned(options: LeafOptions): Promise<IssuedCertificate> {
    const km = await generateKeys(options.key, options.hash ?? 'SHA-256');
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${options.commonName}, O=Keyring Demo`,
      keys: km.keys,
      notBefore: new Date(Date.now() + options.notBeforeDays * DAY),
      notAfter: new Date(Date.now() + options.notAfterDays * DAY),
      signingAlgorithm: km.signingAlgorithm,
      extensions: leafExtensions(options.dnsNames),
    });
    return toIssued(cert, km.keys.privateKey);
  }
}

function leafExtensions(dnsNames: string[]): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(dnsNames.map(value => ({ type: 'dns' as const, value }))),
  ];
}

async function toIssued(cert: x509.X509Certificate, key: CryptoKey): Promise<IssuedCertificate> {
  return {
    cert,
    certPem: cert.toString('pem') + '\n',
    keyPem: await privateKeyPem(key),
    der: Buffer.from(cert.rawData),
  };
}
