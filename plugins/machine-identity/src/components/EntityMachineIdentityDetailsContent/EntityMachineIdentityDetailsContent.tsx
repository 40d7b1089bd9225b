import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { ANNOTATION_IDENTITY_ID } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import useAsync from 'react-use/esm/useAsync';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { IdentityDetailsPanel } from '../shared/IdentityDetailsPanel';

/**
 * The body of a MachineIdentity entity's page: overview with fingerprint,
 * SANs and chain, observations, violations with remediation, history, and
 * links to the owning Group and the using Component. Reads the live record
 * from the inventory through the entity's `keyring.io/identity-id` annotation.
 *
 * @public
 */
export function EntityMachineIdentityDetailsContent() {
  const { entity } = useEntity();
  const api = useApi(machineIdentityApiRef);
  const id = entity.metadata.annotations?.[ANNOTATION_IDENTITY_ID];
  const { value, loading, error } = useAsync(
    async () => (id ? api.getIdentity(id) : undefined),
    [api, id],
  );
  if (!id) {
    return <MissingAnnotationEmptyState annotation={ANNOTATION_IDENTITY_ID} />;
  }
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
    <Box data-testid="machine-identity-entity-details">
      <IdentityDetailsPanel identity={value} layout="page" />
    </Box>
  );
}
