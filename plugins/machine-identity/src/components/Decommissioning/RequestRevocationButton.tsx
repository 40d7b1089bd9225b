import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { TextPromptDialog } from './TextPromptDialog';

/** A manual revocation request for one identity, with a mandatory reason; a second person approves it. */
export function RequestRevocationButton(props: { identityId: string; onRequested: (request: RevocationRequest) => void }) {
  const api = useApi(machineIdentityApiRef);
  const alertApi = useApi(alertApiRef);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (reason: string) => {
    setBusy(true);
    try {
      const request = await api.requestRevocation(props.identityId, reason);
      alertApi.post({ message: 'Revocation requested: a second person must approve it', severity: 'success', display: 'transient' });
      setOpen(false);
      props.onRequested(request);
    } catch (error) {
      alertApi.post({ message: `Could not request the revocation: ${(error as Error).message}`, severity: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button size="small" variant="outlined" color="secondary" onClick={() => setOpen(true)}>
        Request revocation
      </Button>
      <TextPromptDialog
        id={`request-${props.identityId}`}
        open={open}
        title="Request the revocation of this credential"
        label="Why should it be revoked?"
        confirmLabel="Request"
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={submit}
      />
    </>
  );
}
