import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its private key, PEM, made by `openssl`. */
export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** The certificate, DER. */
  der: Buffer;
}

/** Key types the emulator's PKI helpers can create. */
export type TestKeyType = 'rsa-2048' | 'ec-p256' | 'ed25519';

/** Options of {@link issueCertificate}. */
export interface IssueOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  key?: TestKeyType;
  /** Days from now the certificate is valid (default 90). */
  days?: number;
  /** Makes a CA certificate (basicConstraints cA). */
  ca?: boolean;
  /** Hex serial number (default random). */
  serialHex?: string;
}

function keyArgs(key: TestKeyType): string[] {
  switch (key) {
    case 'rsa-2048':
      return ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
    case 'ec-p256':
      return ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    default:
      return ['-algorithm', 'ED25519'];
  }
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'keyring-k8s-pki-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Issues a certificate with `openssl`: self-signed when `issuer` is absent,
 * else signed by `issuer`. Test and demo material only.
 */
export function issueCertificate(options: IssueOptions, issuer?: TestCertificate): TestCertificate {
  return withDir(dir => {
    const sans = [
      ...(options.dnsNames ?? []).map(d => `DNS:${d}`),
      ...(options.ipAddresses ?? []).map(ip => `IP:${ip}`),
    ];
    const ext = [
      options.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE',
      options.ca ? 'keyUsage=critical,keyCertSign,cRLSign' : 'keyUsage=critical,digitalSignature,keyEncipherment',
      ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
    ];
    writeFileSync(join(dir, 'ext.cnf'), `${ext.join('\n')}\n`);
    openssl(['genpkey', ...keyArgs(options.key ?? 'ec-p256'), '-out', 'key.pem'], dir);
    openssl(['req', '-new', '-key', 'key.pem', '-subj', `/CN=${options.commonName}`, '-out', 'req.csr'], dir);
    const signer = issuer
      ? (writeFileSync(join(dir, 'ca.pem'), issuer.certPem), writeFileSync(join(dir, 'ca.key'), issuer.keyPem, { mode: 0o600 }), ['-CA', 'ca.pem', '-CAkey', 'ca.key'])
      : ['-signkey', 'key.pem'];
    const serial = options.serialHex ?? execFileSync('openssl', ['rand', '-hex', '16']).toString().trim().replace(/^[89a-f]/, '1');
    openssl(
      ['x509', '-req', '-in', 'req.csr', ...signer, '-set_serial', `0x${serial}`, '-days', String(options.days ?? 90), '-extfile', 'ext.cnf', '-out', 'cert.pem'],
      dir,
    );
    const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const der = openssl(['x509', '-in', 'cert.pem', '-outform', 'DER'], dir);
    return { certPem, keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), der };
  });
}

/** A PKCS#12 store holding the certificate, its key and the chain (`openssl pkcs12 -export`). */
export function pkcs12Store(cert: TestCertificate, chain: TestCertificate[] = [], password = ''): Buffer {
  return withDir(dir => {
    writeFileSync(join(dir, 'cert.pem'), cert.certPem);
    writeFileSync(join(dir, 'key.pem'), cert.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'chain.pem'), chain.map(c => c.certPem).join(''));
    const args = ['pkcs12', '-export', '-in', 'cert.pem', '-inkey', 'key.pem', '-out', 'store.p12', '-passout', `pass:${password}`];
    if (chain.length > 0) args.push('-certfile', 'chain.pem');
    openssl(args, dir);
    return readFileSync(join(dir, 'store.p12'));
  });
}

let serverCertificate: TestCertificate | undefined;

/** The emulator's own HTTPS certificate (self-signed, `127.0.0.1`, `::1`, `localhost`), made once per process. */
export function emulatorServerCertificate(): TestCertificate {
  serverCertificate ??= issueCertificate({
    commonName: 'kube-apiserver (keyring emulator)',
    dnsNames: ['localhost', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '::1'],
    key: 'ec-p256',
    days: 365,
  });
  return serverCertificate;
}
