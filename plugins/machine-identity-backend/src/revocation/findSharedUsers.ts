import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { ComponentIndex, SshLogin } from '../ownership/ComponentIndex';
import type { ActiveObservation } from './types';

/**
 * Other live Components that use an identity: Components whose Keyring
 * annotations match the identity's SANs or the host and account of an
 * authorized_keys sighting. A credential one of them still uses is shared
 * and must not be revoked with the retired Component.
 */
export function findSharedUsers(options: {
  identity: Identity;
  observations: ActiveObservation[];
  retiredRef: string;
  index: ComponentIndex;
  isRetired: (ref: string) => boolean;
}): string[] {
  const { identity, observations, retiredRef, index, isRetired } = options;
  const sshLogins: SshLogin[] = [];
  const sshHosts = new Set<string>();
  const sshAccounts = new Set<string>();
  for (const o of observations) {
    const host = o.details?.host;
    const account = o.details?.account;
    if (typeof host === 'string') sshHosts.add(host);
    if (typeof account === 'string') sshAccounts.add(account);
    if (typeof host === 'string' && typeof account === 'string') sshLogins.push({ host, account });
  }
  const matches = index.match(
    {
      hostnames: identity.sans ?? [],
      sshHosts: [...sshHosts],
      sshAccounts: [...sshAccounts],
    },
    sshLogins,
  );
  const others = new Set<string>();
  for (const m of matches) {
    const ref = m.component.ref;
    if (ref === retiredRef.toLowerCase() || isRetired(ref)) continue;
    others.add(ref);
  }
  return [...others].sort();
}
