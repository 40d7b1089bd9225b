import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  IdentityState,
  Management,
  ReviewStatus,
  ScanStatus,
  Severity,
} from '@keyring/plugin-machine-identity-common';
import Chip from '@material-ui/core/Chip';
import {
  MANAGEMENT_LABELS,
  REVIEW_LABELS,
  STATE_LABELS,
  labelOf,
} from './labels';

/** Compliant, or the number of open violations, in the status colours. */
export function PolicyStatusLabel(props: { violationCount: number }) {
  if (props.violationCount === 0) {
    return <StatusOK>Compliant</StatusOK>;
  }
  return (
    <StatusError>
      {props.violationCount} violation{props.violationCount === 1 ? '' : 's'}
    </StatusError>
  );
}

/** Review status in the status colours. */
export function ReviewStatusLabel(props: { status: ReviewStatus | string }) {
  const label = labelOf(REVIEW_LABELS, props.status);
  switch (props.status) {
    case 'reviewed':
      return <StatusOK>{label}</StatusOK>;
    case 'due':
      return <StatusWarning>{label}</StatusWarning>;
    case 'overdue':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}

/** Automated, manual or unmanaged rotation, as a small chip. */
export function ManagementChip(props: { management: Management | string }) {
  return (
    <Chip
      size="small"
      variant="outlined"
      color={props.management === 'automated' ? 'primary' : 'default'}
      label={labelOf(MANAGEMENT_LABELS, props.management)}
    />
  );
}

/** An identity's lifecycle state, in the status colours. */
export function StateLabel(props: { state: IdentityState | string }) {
  const label = labelOf(STATE_LABELS, props.state);
  switch (props.state) {
    case 'active':
      return <StatusOK>{label}</StatusOK>;
    case 'pending-revocation':
      return <StatusWarning>{label}</StatusWarning>;
    case 'revoked':
      return <StatusAborted>{label}</StatusAborted>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}

/** A violation severity in the status colours. */
export function SeverityLabel(props: { severity: Severity | string }) {
  switch (props.severity) {
    case 'error':
      return <StatusError>Error</StatusError>;
    case 'warning':
      return <StatusWarning>Warning</StatusWarning>;
    default:
      return <StatusPending>Info</StatusPending>;
  }
}

/** A scan run's status as a health chip. */
export function ScanStatusLabel(props: { status?: ScanStatus | string }) {
  switch (props.status) {
    case 'succeeded':
      return <StatusOK>Succeeded</StatusOK>;
    case 'partial':
      return <StatusWarning>Partial</StatusWarning>;
    case 'failed':
      return <StatusError>Failed</StatusError>;
    case 'running':
      return <StatusRunning>Running</StatusRunning>;
    default:
      return <StatusPending>Never run</StatusPending>;
  }
}
