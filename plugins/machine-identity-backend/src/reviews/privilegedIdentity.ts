import type { IdentityRecord } from '../database/types';

/**
 * Why an identity is privileged, or undefined: what its scanner recorded
 * (`attributes.privileged` / `admin`: a Kubernetes service account bound to
 * `cluster-admin` or wildcard verbs, an AWS principal with administrator
 * policies, with `privilegedReason`) or an SSH key that logs in as `root`.
 * Campaigns with `reviews.requireSecondReviewer` ask two members to confirm
 * these.
 */
export function privilegedReason(identity: Pick<IdentityRecord, 'attributes' | 'sshLogins' | 'type'>): string | undefined {
  const attributes = (identity.attributes ?? {}) as Record<string, unknown>;
  if (attributes.privileged === true || attributes.admin === true) {
    const reason = typeof attributes.privilegedReason === 'string' ? attributes.privilegedReason : 'admin privileges';
    return reason.slice(0, 255);
  }
  const rootHosts = (identity.sshLogins ?? []).filter(([, account]) => account === 'root').map(([host]) => host);
  if (rootHosts.length > 0) {
    return `root login on ${rootHosts.slice(0, 3).join(', ')}${rootHosts.length > 3 ? ` and ${rootHosts.length - 3} more` : ''}`.slice(0, 255);
  }
  return undefined;
}
