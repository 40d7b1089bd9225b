import type {
  IdentityState,
  IdentityType,
  Management,
  OwnershipRule,
  ReviewStatus,
} from '@keyring/plugin-machine-identity-common';

/** Human names of identity types. */
export const TYPE_LABELS: Record<IdentityType, string> = {
  'tls-certificate': 'TLS certificate',
  'ssh-key': 'SSH key',
  'api-token': 'API token',
  'service-account': 'Service account',
  'workload-identity': 'Workload identity',
  secret: 'Secret',
};

/** Human names of identity states. */
export const STATE_LABELS: Record<IdentityState, string> = {
  active: 'Active',
  gone: 'Gone',
  'pending-revocation': 'Pending revocation',
  revoked: 'Revoked',
};

/** Human names of management modes. */
export const MANAGEMENT_LABELS: Record<Management, string> = {
  automated: 'Automated',
  manual: 'Manual',
  unmanaged: 'Unmanaged',
};

/** Human names of review statuses. */
export const REVIEW_LABELS: Record<ReviewStatus, string> = {
  reviewed: 'Reviewed',
  due: 'Review due',
  overdue: 'Review overdue',
  never: 'Never reviewed',
};

/** Human names of ownership rules. */
export const OWNERSHIP_RULE_LABELS: Record<OwnershipRule, string> = {
  'review-decision': 'Review decision',
  'source-metadata': 'Source metadata',
  'component-annotation': 'Component annotation',
  fallback: 'Fallback owner (orphan)',
};

/** A label for a value that may be outside the known set. */
export function labelOf<K extends string>(
  labels: Record<K, string>,
  value: string | undefined,
): string {
  if (!value) {
    return '—';
  }
  return (labels as Record<string, string>)[value] ?? value;
}
