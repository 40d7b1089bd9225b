import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { problemMessage } from '../shared/problemMessage';

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/**
 * Asks for a waiver of one rule of one identity: a reason and an expiry
 * (default 90 days, at most 365). The backend records it as `requested`;
 * nothing is waived until another person approves. Refusals (not a member,
 * already requested) show in the dialog with the backend's message.
 */
export function RequestWaiverDialog(props: {
  identityId: string;
  identityName: string;
  ruleId: string;
  onCancel: () => void;
  onRequested: (request: WaiverRequest) => void;
}) {
  const api = useApi(machineIdentityApiRef);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(day(90));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const id = `waiver-${props.identityId}-${props.ruleId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const submit = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      // the end of the chosen day, UTC
      const expiresAt = new Date(`${expires}T23:59:59.000Z`).toISOString();
      props.onRequested(await api.requestWaiver(props.identityId, { ruleId: props.ruleId, reason: reason.trim(), expiresAt }));
    } catch (error) {
      setProblem(problemMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={props.onCancel} aria-labelledby={`${id}-title`}>
      <DialogTitle id={`${id}-title`}>Request a waiver of {props.ruleId}</DialogTitle>
      <DialogContent>
        <DialogContentText>
          {props.identityName} will not count as violating {props.ruleId} until the expiry, once another person approves.
        </DialogContentText>
        <TextField
          id={`${id}-reason`}
          autoFocus
          fullWidth
          multiline
          required
          margin="dense"
          label="Why is the violation acceptable for now?"
          value={reason}
          onChange={e => setReason(e.target.value)}
        />
        <TextField
          id={`${id}-expires`}
          type="date"
          required
          margin="dense"
          label="Waived until"
          InputLabelProps={{ shrink: true }}
          inputProps={{ min: day(1), max: day(365) }}
          value={expires}
          onChange={e => setExpires(e.target.value)}
        />
        {problem && (
          <Alert severity="error" role="alert" data-testid="waiver-request-problem">
            {problem}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button color="primary" disabled={busy || reason.trim().length === 0 || !expires} onClick={submit}>
          Request waiver
        </Button>
      </DialogActions>
    </Dialog>
  );
}
