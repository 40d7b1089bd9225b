import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import {
  ObservationsTable,
  ViolationsList,
} from '../shared/IdentityDetailsPanel';

/** The expanded part of a row: where the identity lives and which rules it breaks. */
export function IdentityRowDetails(props: { id: string }) {
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
  if (!value) {
    return null;
  }
  return (
    <Box py={1} data-testid="machine-identity-row-details">
      <Grid container spacing={2}>
        <Grid item xs={12} md={7}>
          <Typography variant="subtitle2">Where it lives</Typography>
          <ObservationsTable identity={value} />
        </Grid>
        <Grid item xs={12} md={5}>
          <Typography variant="subtitle2">Violated rules</Typography>
          <ViolationsList identity={value} />
        </Grid>
      </Grid>
    </Box>
  );
}
