import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { formatDateTime } from '../shared/expiry';
import { RequestWaiverDialog } from './RequestWaiverDialog';

/**
 * Under one violation: the open waiver request for its rule ("awaiting
 * approval"), or, for a member of the owning Group, a "Request waiver" button.
 */
export function ViolationWaiverAction(props: {
  identityId: string;
  identityName: string;
  ruleId: string;
  /** The open request for this rule, if any. */
  open?: WaiverRequest;
  /** The signed-in user belongs to the identity's owning Group. */
  canRequest: boolean;
  onRequested: (request: WaiverRequest) => void;
}) {
  const alertApi = useApi(alertApiRef);
  const [asking, setAsking] = useState(false);
  if (props.open) {
    return (
      <Typography variant="caption" display="block" data-testid="waiver-requested">
        Waiver requested by {props.open.requestedBy} until {formatDateTime(props.open.expiresAt)}: awaiting another person's approval
      </Typography>
    );
  }
  if (!props.canRequest) return null;
  return (
    <>
      <Button size="small" variant="outlined" onClick={() => setAsking(true)} aria-label={`Request waiver: ${props.ruleId}`}>
        Request waiver
      </Button>
      {asking && (
        <RequestWaiverDialog
          identityId={props.identityId}
          identityName={props.identityName}
          ruleId={props.ruleId}
          onCancel={() => setAsking(false)}
          onRequested={request => {
            setAsking(false);
            alertApi.post({ message: `Waiver of ${request.ruleId} requested: another person must approve it`, severity: 'success', display: 'transient' });
            props.onRequested(request);
          }}
        />
      )}
    </>
  );
}
