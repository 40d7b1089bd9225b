import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import { useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';

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
  const [comment, setComment] = useState('');
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
      <Dialog open={rejecting} onClose={() => setRejecting(false)} aria-labelledby={`reject-${request.id}`}>
        <DialogTitle id={`reject-${request.id}`}>Reject the revocation of {name}</DialogTitle>
        <DialogContent>
          <TextField
            id={`reject-comment-${request.id}`}
            autoFocus
            fullWidth
            multiline
            label="Why is it not revoked?"
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRejecting(false)}>Cancel</Button>
          <Button
            color="primary"
            disabled={busy || comment.trim().length === 0}
            onClick={async () => {
              setRejecting(false);
              await run(() => api.rejectRevocation(request.id, comment.trim()), `Rejected the revocation of ${name}`);
            }}
          >
            Reject
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
