import type { Identity } from '@keyring/plugin-machine-identity-common';
import { expiryStatus } from '../shared/expiry';

/** Counts an entity's card shows. */
export interface EntityIdentityCounts {
  total: number;
  /** More identities exist than were counted. */
  truncated: boolean;
  byType: Record<string, number>;
  violating: number;
  expired: number;
  critical: number;
  warning: number;
  /** The identity that expires next (not yet expired). */
  soonest?: Identity;
}

/** Counts active identities by type, violations and expiry urgency. */
export function summarizeIdentities(
  items: Identity[],
  truncated: boolean,
  now: Date = new Date(),
): EntityIdentityCounts {
  const counts: EntityIdentityCounts = {
    total: items.length,
    truncated,
    byType: {},
    violating: 0,
    expired: 0,
    critical: 0,
    warning: 0,
  };
  for (const identity of items) {
    counts.byType[identity.type] = (counts.byType[identity.type] ?? 0) + 1;
    if (identity.violationCount > 0) {
      counts.violating += 1;
    }
    const status = expiryStatus(identity.notAfter, now);
    if (status === 'expired') counts.expired += 1;
    if (status === 'critical') counts.critical += 1;
    if (status === 'warning') counts.warning += 1;
    if (
      status !== 'expired' &&
      status !== 'none' &&
      (!counts.soonest ||
        new Date(identity.notAfter!).getTime() <
          new Date(counts.soonest.notAfter!).getTime())
    ) {
      counts.soonest = identity;
    }
  }
  return counts;
}
