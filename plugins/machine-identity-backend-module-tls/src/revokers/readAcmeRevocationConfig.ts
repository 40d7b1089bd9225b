import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One ACME CA that certificates can be revoked at (`machineIdentity.revocation.acme[]`). */
export interface AcmeCaSettings {
  /** Kebab-case name of the CA in messages and request details. */
  id: string;
  /** The CA's ACME directory URL (HTTPS). */
  directoryUrl: string;
  /** PEM file of the ACME account key that ordered the certificates (read at revocation time, never stored). */
  accountKeyFile: string;
  /** PEM file of extra CA certificates to trust for the directory's HTTPS (a private CA's endpoint). */
  caBundleFile?: string;
  /** Issuer names this CA issues under; `*` matches any characters, case-insensitive. */
  issuers: string[];
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Reads and checks `machineIdentity.revocation.acme`; no key means no ACME revocation. */
export function readAcmeRevocationConfig(config: Config): AcmeCaSettings[] {
  const entries = config.getOptionalConfigArray('machineIdentity.revocation.acme') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `machineIdentity.revocation.acme[${index}]`;
    const id = entry.getString('id');
    if (!ID.test(id)) throw new InputError(`${where}.id must be kebab-case, got "${id}"`);
    if (seen.has(id)) throw new InputError(`${where}.id "${id}" is used twice`);
    seen.add(id);
    const directoryUrl = entry.getString('directoryUrl');
    let url: URL;
    try {
      url = new URL(directoryUrl);
    } catch {
      throw new InputError(`${where}.directoryUrl is not a URL: "${directoryUrl}"`);
    }
    if (url.protocol !== 'https:') throw new InputError(`${where}.directoryUrl must be https (RFC 8555 §6.1), got "${directoryUrl}"`);
    const issuers = entry.getStringArray('issuers');
    if (issuers.length === 0 || issuers.some(i => i.trim() === '')) {
      throw new InputError(`${where}.issuers must name at least one issuer, and none may be empty`);
    }
    return {
      id,
      directoryUrl,
      accountKeyFile: entry.getString('accountKeyFile'),
      caBundleFile: entry.getOptionalString('caBundleFile'),
      issuers,
    };
  });
}

/** Whether a certificate issuer name matches one of the CA's issuer patterns. */
export function issuedBy(ca: AcmeCaSettings, issuer: string | undefined): boolean {
  if (!issuer) return false;
  return ca.issuers.some(pattern => {
    const regex = new RegExp(`^${pattern.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    return regex.test(issuer.trim());
  });
}
