import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { prepareDemoAws, startDemoAws } from '@keyring/cloud-emulators/aws';
import { prepareDemoCluster, startDemoCluster } from '@keyring/cloud-emulators/kubernetes';
import { DemoCertificateAuthority, IssuedCertificate, LeafOptions } from './certificates';
import { writeSshFleet } from './sshFleet';

/** One TLS listener of the demo estate. */
export interface DemoEndpoint {
  host: string;
  port: number;
  certificate: LeafOptions & { selfSigned?: boolean; ca?: 'demo' | 'shadow' };
}

/** The demo estate's TLS listeners (loopback only). */
export const DEMO_ENDPOINTS: DemoEndpoint[] = [
  {
    host: '127.0.10.1', port: 8443,
    certificate: { commonName: 'api.payments.example.test', dnsNames: ['api.payments.example.test', 'pay.payments.example.test'], key: 'ec-p256', notBeforeDays: -60, notAfterDays: 5 },
  },
  {
    host: '127.0.10.2', port: 8443,
    certificate: { commonName: 'checkout.example.test', dnsNames: ['checkout.example.test'], key: 'rsa-2048', notBeforeDays: -70, notAfterDays: 20 },
  },
  {
    host: '127.0.10.3', port: 8443,
    certificate: { commonName: 'login.identity.example.test', dnsNames: ['login.identity.example.test'], key: 'rsa-3072', notBeforeDays: -65, notAfterDays: 300 },
  },
  {
    host: '127.0.10.4', port: 8443,
    certificate: { commonName: 'billing.example.test', dnsNames: ['billing.example.test'], key: 'rsa-1024', hash: 'SHA-1', notBeforeDays: -400, notAfterDays: -3 },
  },
  {
    host: '127.0.10.5', port: 8443,
    certificate: { commonName: 'internal-tools.example.test', dnsNames: ['internal-tools.example.test'], key: 'rsa-2048', notBeforeDays: -10, notAfterDays: 400, selfSigned: true },
  },
  {
    host: '127.0.10.6', port: 8443,
    certificate: { commonName: 'reports.example.test', dnsNames: ['reports.example.test'], key: 'ec-p256', notBeforeDays: -5, notAfterDays: 42, ca: 'shadow' },
  },
];

/** A running demo estate. */
export interface RunningDemoEstate {
  dir: string;
  caFile: string;
  endpoints: Array<{ host: string; port: number; fingerprintSha256: string; commonName: string; notAfter: string }>;
  /** URL of the demo Kubernetes cluster (the API emulator; the portal reads `kubeconfig` in `dir`). */
  kubernetesUrl: string;
  /** Endpoint of the demo AWS account (IAM, Secrets Manager and ACM emulator). */
  awsEndpoint: string;
  stop(): Promise<void>;
}

interface Manifest {
  createdAt: string;
  endpoints: Array<{ host: string; port: number; certPem: string; keyPem: string; chainPem: string }>;
}

async function exists(file: string) {
  return fs.access(file).then(() => true, () => false);
}

async function generate(dir: string): Promise<Manifest> {
  const demo = await DemoCertificateAuthority.create('Keyring Demo');
  const shadow = await DemoCertificateAuthority.create('Shadow IT');
  const endpoints: Manifest['endpoints'] = [];
  const store = path.join(dir, 'cert-store');
  await fs.mkdir(path.join(store, 'pem'), { recursive: true });
  await fs.mkdir(path.join(store, 'der'), { recursive: true });
  // The approved issuers: the demo root and its issuing CA (certificate files often carry no chain).
  await fs.writeFile(path.join(dir, 'ca.pem'), demo.root.certPem + demo.issuing.certPem);
  for (const endpoint of DEMO_ENDPOINTS) {
    const ca = endpoint.certificate.ca === 'shadow' ? shadow : demo;
    const leaf: IssuedCertificate = endpoint.certificate.selfSigned
      ? await DemoCertificateAuthority.selfSigned(endpoint.certificate)
      : await ca.issue(endpoint.certificate);
    const chainPem = endpoint.certificate.selfSigned ? '' : ca.issuing.certPem;
    endpoints.push({ host: endpoint.host, port: endpoint.port, certPem: leaf.certPem, keyPem: leaf.keyPem, chainPem });
  }
  // Certificates that are never served on a port: files in a certificate store.
  const batch = await demo.issue({ commonName: 'batch-signer.payments.example.test', dnsNames: ['batch-signer.payments.example.test'], key: 'rsa-2048', notBeforeDays: -200, notAfterDays: 165 });
  await fs.writeFile(path.join(store, 'pem', 'batch-signer.pem'), batch.certPem + demo.issuing.certPem);
  const mtls = await demo.issue({ commonName: 'mtls-client.identity.example.test', dnsNames: ['mtls-client.identity.example.test'], key: 'ec-p256', notBeforeDays: -1, notAfterDays: 46 });
  await fs.writeFile(path.join(store, 'der', 'mtls-client.der'), mtls.der);
  // A PEM file that also holds a private key: Keyring must read the certificate and drop the key.
  const withKey = await demo.issue({ commonName: 'legacy-sftp.example.test', dnsNames: ['legacy-sftp.example.test'], key: 'rsa-2048', notBeforeDays: -300, notAfterDays: 65 });
  await fs.writeFile(path.join(store, 'pem', 'legacy-sftp-with-key.pem'), withKey.keyPem + withKey.certPem, { mode: 0o600 });
  const manifest: Manifest = { createdAt: new Date().toISOString(), endpoints };
  await writeSshFleet(path.join(dir, 'fleet'));
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2), { mode: 0o600 });
  return manifest;
}

async function prepare(dir: string): Promise<Manifest> {
  await fs.mkdir(dir, { recursive: true });
  const manifestFile = path.join(dir, 'manifest.json');
  return (await exists(manifestFile))
    ? JSON.parse(await fs.readFile(manifestFile, 'utf8'))
    : await generate(dir);
}

/**
 * Creates the demo estate's material in `dir` unless it is already there
 * (certificates, keys, certificate files, the SSH fleet), without serving it.
 */
export async function prepareDemoEstate(dir: string): Promise<void> {
  await prepare(dir);
  prepareDemoCluster(dir);
  await prepareDemoAws(dir);
}

/**
 * Starts the demo estate in `dir`: creates the material on first use (kept, so
 * identities stay stable across restarts) and serves each certificate on its
 * loopback listener (port 8443, or `options.port` / `KEYRING_DEMO_TLS_PORT`).
 */
export async function startDemoEstate(
  dir: string,
  options: { port?: number } = {},
): Promise<RunningDemoEstate> {
  const port = options.port ?? Number(process.env.KEYRING_DEMO_TLS_PORT ?? 8443);
  const manifest = await prepare(dir);
  const cluster = await startDemoCluster(prepareDemoCluster(dir));
  const aws = await startDemoAws(dir);
  const servers: tls.Server[] = [];
  const endpoints: RunningDemoEstate['endpoints'] = [];
  for (const endpoint of manifest.endpoints) {
    const server = tls.createServer(
      {
        key: endpoint.keyPem,
        cert: endpoint.certPem + endpoint.chainPem,
        minVersion: 'TLSv1.2',
        // The demo serves deliberately weak certificates (RSA 1024, SHA-1) for Keyring to flag.
        ciphers: 'DEFAULT:@SECLEVEL=0',
      },
      socket => socket.end('keyring demo\n'),
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, endpoint.host, () => resolve());
    });
    servers.push(server);
    const cert = new X509Certificate(endpoint.certPem);
    endpoints.push({
      host: endpoint.host,
      port,
      commonName: /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? '',
      notAfter: new Date(cert.validTo).toISOString(),
      fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
  }
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    kubernetesUrl: cluster.url,
    awsEndpoint: aws.endpoint,
    endpoints,
    async stop() {
      await Promise.all(servers.map(s => new Promise(r => s.close(() => r(undefined)))));
      await cluster.stop();
      await aws.stop();
    },
  };
}
