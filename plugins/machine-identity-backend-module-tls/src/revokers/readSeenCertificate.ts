import { createHash } from 'node:crypto';
import { readCertificateBlocksYielding, readFileBounded, type RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { fetchPeerChain } from '../scanning/fetchPeerChain';

const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** The certificate's DER read again from a place a scan saw it, and where. */
export interface SeenCertificate {
  der: Buffer;
  sourceId: string;
  location: string;
}

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/** `host:port` or `[v6]:port` of a `tls` source's location. */
function hostPort(location: string): { host: string; port: number } | undefined {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(location) ?? /^([^:]+):(\d+)$/.exec(location);
  return match ? { host: match[1], port: Number(match[2]) } : undefined;
}

/** The file path of a `certificate-files` location `host:/path` or `host:/path#index`. */
function filePath(location: string): string | undefined {
  const colon = location.indexOf(':/');
  if (colon < 0) return undefined;
  return location.slice(colon + 1).replace(/#\d+$/, '');
}

/**
 * Reads the identity's certificate again from the places the `tls` and
 * `certificate-files` scanners saw it (an ACME revocation carries the whole
 * certificate, and Keyring stores only its fingerprint and attributes). Only
 * a certificate whose SHA-256 equals the identity's fingerprint is returned,
 * so what is revoked is exactly what was inventoried. `undefined` when no
 * place serves it any more; `problems` says why for each place tried.
 */
export async function readSeenCertificate(
  target: RevocationTarget,
  signal: AbortSignal,
): Promise<{ found?: SeenCertificate; problems: string[] }> {
  const want = target.identity.fingerprintSha256.toLowerCase();
  const problems: string[] = [];
  for (const o of target.observations) {
    if (signal.aborted) break;
    const type = o.source?.type;
    if (type === 'tls') {
      const endpoint = hostPort(o.location);
      if (!endpoint) continue;
      const serverName = typeof o.details?.serverName === 'string' ? o.details.serverName : undefined;
      const result = await fetchPeerChain({ ...endpoint, serverName, connectTimeoutMs: 3000, handshakeTimeoutMs: 5000, signal });
      if (!result.ok) {
        problems.push(`${o.location}: ${result.message}`);
        continue;
      }
      const der = result.chain.find(d => sha256(d) === want);
      if (der) return { found: { der, sourceId: o.sourceId, location: o.location }, problems };
      problems.push(`${o.location} serves other certificates now`);
    } else if (type === 'certificate-files') {
      const file = filePath(o.location);
      if (!file) continue;
      try {
        const { data } = await readFileBounded(file, MAX_FILE_BYTES);
        const password = o.source?.config.getOptionalString('pkcs12Password');
        const contents = await readCertificateBlocksYielding(data, { pkcs12Password: password });
        const block = contents.certificates.find(b => sha256(b.der) === want);
        if (block) return { found: { der: block.der, sourceId: o.sourceId, location: o.location }, problems };
        problems.push(`${file} holds other certificates now`);
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
      }
    }
  }
  return { problems };
}

/** PEM text of a DER certificate. */
export function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
