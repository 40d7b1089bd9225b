import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { makeCertificate, makeTestPki } from './testPki';
import { freePort } from './testServers';

/** A running pebble (Let's Encrypt's test ACME server) on loopback. */
export interface Pebble {
  /** The ACME directory URL. */
  directoryUrl: string;
  /** PEM of the test CA that signed pebble's HTTPS certificate. */
  caBundlePem: string;
  /** The file holding {@link Pebble.caBundlePem}. */
  caBundleFile: string;
  /** Folder for the test's files; removed by `stop`. */
  dir: string;
  /** What pebble's management API says of a certificate serial (hex): `Valid` or `Revoked`. */
  certStatus(serialHex: string): Promise<{ Status: string; Reason?: number; RevokedAt?: string }>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `/usr/bin/pebble` on 127.0.0.1 with a fresh HTTPS
 * certificate from a test CA, `PEBBLE_VA_ALWAYS_VALID=1` (orders are issued
 * without challenges) and no nonce rejection. Resolves once its directory
 * answers.
 */
export async function startPebble(): Promise<Pebble> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keyring-pebble-'));
  const pki = await makeTestPki('Pebble Listener');
  const listener = await makeCertificate({ subject: 'CN=localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], issuer: pki.intermediate });
  const caBundlePem = pki.root.certPem;
  const caBundleFile = path.join(dir, 'ca.pem');
  await fs.writeFile(caBundleFile, caBundlePem);
  await fs.writeFile(path.join(dir, 'cert.pem'), listener.certPem + pki.intermediate.certPem);
  await fs.writeFile(path.join(dir, 'key.pem'), listener.keyPem);
  const port = await freePort('127.0.0.1');
  const managementPort = await freePort('127.0.0.1');
  await fs.writeFile(
    path.join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: path.join(dir, 'cert.pem'),
        privateKey: path.join(dir, 'key.pem'),
        httpPort: await freePort('127.0.0.1'),
        tlsPort: await freePort('127.0.0.1'),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  const child: ChildProcess = spawn('/usr/bin/pebble', ['-config', path.join(dir, 'pebble.json')], {
    env: { PATH: process.env.PATH, PEBBLE_VA_ALWAYS_VALID: '1', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', d => (output += d));
  child.stderr?.on('data', d => (output += d));
  const agent = new https.Agent({ ca: caBundlePem });
  const getJson = (url: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      https
        .get(url, { agent }, res => {
          let text = '';
          res.on('data', d => (text += d));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: text });
            }
          });
        })
        .on('error', reject);
    });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise(resolve => child.once('exit', resolve));
    }
    agent.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  };
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pebble exited with ${child.exitCode}: ${output}`);
    }
    try {
      if ((await getJson(directoryUrl)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 100) {
      await stop();
      throw new Error(`pebble did not answer on ${directoryUrl}: ${output}`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    directoryUrl,
    caBundlePem,
    caBundleFile,
    dir,
    certStatus: async serial => {
      const res = await getJson(`https://127.0.0.1:${managementPort}/cert-status-by-serial/${serial}`);
      if (res.status !== 200) throw new Error(`pebble cert-status-by-serial/${serial} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    stop,
  };
}
