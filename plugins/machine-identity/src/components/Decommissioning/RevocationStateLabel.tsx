import { StatusAborted, StatusError, StatusOK, StatusPending, StatusRunning, StatusWarning } from '@backstage/core-components';
import type { RevocationState } from '@keyring/plugin-machine-identity-common';

/** How each revocation state reads to people. */
export const REVOCATION_STATE_LABELS: Record<RevocationState, string> = {
  requested: 'Awaiting approval',
  approved: 'Approved',
  executing: 'Revoking',
  executed: 'Revoked, awaiting re-scan',
  verified: 'Verified gone',
  rejected: 'Rejected',
  failed: 'Failed',
  manual: 'Manual task',
  expired: 'Expired',
};

/** A revocation state in the status colours. */
export function RevocationStateLabel(props: { state: RevocationState }) {
  const label = REVOCATION_STATE_LABELS[props.state] ?? props.state;
  switch (props.state) {
    case 'verified':
      return <StatusOK>{label}</StatusOK>;
    case 'failed':
      return <StatusError>{label}</StatusError>;
    case 'manual':
    case 'requested':
      return <StatusWarning>{label}</StatusWarning>;
    case 'approved':
    case 'executing':
    case 'executed':
      return <StatusRunning>{label}</StatusRunning>;
    case 'rejected':
    case 'expired':
      return <StatusAborted>{label}</StatusAborted>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}
