import type { Observation } from '@keyring/plugin-machine-identity-common';

/**
 * Distinct logins a credential is seen under: `account@host` where the
 * sighting names its host (the same account name on two hosts is two logins),
 * else the account alone. Undefined when no sighting names an account. The
 * core fills `PolicyContext.distinctAccounts` with it; rules of shared
 * credentials (e.g. `ssh.shared`) fall back to it.
 */
export function countDistinctAccounts(observations: Observation[]): number | undefined {
  const logins = new Set<string>();
  for (const observation of observations) {
    const account = observation.details?.account ?? observation.details?.user;
    if (typeof account === 'string' && account) {
      const host = observation.details?.host;
      logins.add(typeof host === 'string' && host ? `${account}@${host}` : account);
    }
  }
  return logins.size > 0 ? logins.size : undefined;
}
