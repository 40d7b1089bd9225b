import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import CloseIcon from '@material-ui/icons/Close';
import useAsync from 'react-use/esm/useAsync';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { IdentityDetailsPanel } from './IdentityDetailsPanel';

function DrawerBody(props: { id: string }) {
  const api = useApi(machineIdentityApiRef);
  const { value, loading, error } = useAsync(
    () => api.getIdentity(props.id),
    [api, props.id],
  );
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return value ? <IdentityDetailsPanel identity={value} /> : null;
}

/** A side panel with everything known about one identity, loaded on open. */
export function IdentityDetailsDrawer(props: {
  identityId?: string;
  onClose: () => void;
}) {
  return (
    <Drawer anchor="right" open={!!props.identityId} onClose={props.onClose}>
      <Box
        width={{ xs: '100vw', md: 760 }}
        p={3}
        role="dialog"
        aria-label="Machine identity details"
        data-testid="machine-identity-drawer"
      >
        <Box display="flex" justifyContent="flex-end">
          <IconButton aria-label="Close details" onClick={props.onClose}>
            <CloseIcon />
          </IconButton>
        </Box>
        {props.identityId && <DrawerBody id={props.identityId} />}
      </Box>
    </Drawer>
  );
}
