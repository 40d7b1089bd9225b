import { parse } from 'yaml';

/** A credential inside a kubeconfig: a certificate (DER or PEM) or a token, and where in the file. */
export interface KubeconfigEntry {
  kind: 'certificate' | 'token';
  /** `cluster=prod` or `user=deployer`: appended to the location after `#`. */
  anchor: string;
  /** `certificate-authority-data`, `client-certificate-data` or `token`. */
  field: string;
  value: Buffer;
}

/** Whether a Secret value looks like a kubeconfig (`kind: Config` with clusters or users). */
export function looksLikeKubeconfig(key: string, value: Buffer): boolean {
  if (value.length > 4 * 1024 * 1024) return false;
  const head = value.subarray(0, 4096).toString('utf8');
  return (/kubeconfig|^config$/i.test(key) || /kind:\s*"?Config"?/.test(head)) && /\b(clusters|users)\s*:/.test(head);
}

const list = (value: unknown): Array<Record<string, any>> => (Array.isArray(value) ? value.filter(v => v && typeof v === 'object') : []);

/**
 * The credentials of a kubeconfig: cluster CA certificates, client
 * certificates and tokens. Client keys (`client-key-data`) and passwords are
 * never read out. Throws when the text is not YAML.
 */
export function kubeconfigEntries(text: string): KubeconfigEntry[] {
  const doc = parse(text);
  if (!doc || typeof doc !== 'object') throw new Error('not a kubeconfig document');
  const entries: KubeconfigEntry[] = [];
  for (const cluster of list(doc.clusters)) {
    const data = cluster.cluster?.['certificate-authority-data'];
    if (typeof data === 'string' && data) {
      entries.push({ kind: 'certificate', anchor: `cluster=${cluster.name}`, field: 'certificate-authority-data', value: Buffer.from(data, 'base64') });
    }
  }
  for (const user of list(doc.users)) {
    const cert = user.user?.['client-certificate-data'];
    if (typeof cert === 'string' && cert) {
      entries.push({ kind: 'certificate', anchor: `user=${user.name}`, field: 'client-certificate-data', value: Buffer.from(cert, 'base64') });
    }
    const token = user.user?.token;
    if (typeof token === 'string' && token) {
      entries.push({ kind: 'token', anchor: `user=${user.name}`, field: 'token', value: Buffer.from(token) });
    }
  }
  return entries;
}
