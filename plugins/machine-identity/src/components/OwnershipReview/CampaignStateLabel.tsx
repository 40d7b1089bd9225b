import { StatusError, StatusOK, StatusPending, StatusWarning } from '@backstage/core-components';
import type { CampaignState } from '@keyring/plugin-machine-identity-common';

/** A date as `1 Dec 2026` (UTC). */
export function formatDay(iso?: string): string {
  return iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }) : '';
}

/** A campaign's state with its status colour. */
export function CampaignStateLabel(props: { state: CampaignState }) {
  switch (props.state) {
    case 'completed':
      return <StatusOK>Completed</StatusOK>;
    case 'overdue':
      return <StatusError>Overdue</StatusError>;
    case 'open':
      return <StatusWarning>Open</StatusWarning>;
    default:
      return <StatusPending>Closed</StatusPending>;
  }
}
