import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { TextPromptDialog } from './TextPromptDialog';

/**
 * Approve and reject buttons of a `requested` revocation. The requester sees
 * them disabled (a second person approves); the backend enforces the same
 * and the permission policy, and its refusal is shown as an alert.
 */
export function RevocationActions(props: {
  request: RevocationRequest;
  currentUserRef?: string;
  onChange: (updated: RevocationRequest) => void;
}) {
  const { request, currentUserRef, onChange } = props;
  const api = useApi(machineIdentityApiRef);
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  if (request.state !== 'requested') return null;
  const ownRequest = !!currentUserRef && request.requestedBy.toLowerCase() === currentUserRef;

  const run = async (action: () => Promise<RevocationRequest>, done: string) => {
    setBusy(true);
    try {
      const updated = await action();
      alertApi.post({ message: done, severity: 'success', display: 'transient' });
      onChange(updated);
    } catch (error) {
      alertApi.post({ message: `Could not update the revocation: ${(error as Error).message}`, severity: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const name = request.identityDisplayName ?? request.identityId;

  return (
    <Box display="flex" style={{ gap: 8 }}>
      <Tooltip title={ownRequest ? 'You requested this revocation: a second person must approve it' : ''}>
        <span>
          <Button
            size="small"
            variant="contained"
            color="primary"
            disabled={busy || ownRequest}
            onClick={() => run(() => api.approveRevocation(request.id), `Approved the revocation of ${name}`)}
          >
            Approve
          </Button>
        </span>
      </Tooltip>
      <Button size="small" variant="outlined" disabled={busy} onClick={() => setRejecting(true)}>
        Reject
      </Button>
      <TextPromptDialog
        id={`reject-${request.id}`}
        open={rejecting}
        title={`Reject the revocation of ${name}`}
        label="Why is it not revoked?"
        confirmLabel="Reject"
        busy={busy}
        onCancel={() => setRejecting(false)}
        onConfirm={async comment => {
          setRejecting(false);
          await run(() => api.rejectRevocation(request.id, comment), `Rejected the revocation of ${name}`);
        }}
      />
    </Box>
  );
}
