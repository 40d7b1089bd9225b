import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ANNOTATION_IDENTITY_ID, OPEN_REVOCATION_STATES, type RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Typography from '@material-ui/core/Typography';
import { useCallback, useEffect, useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { isMachineIdentityEntityKind } from '../../isMachineIdentityEntityKind';
import { RequestRevocationButton } from './RequestRevocationButton';
import { RevocationRequestTable } from './RevocationRequestTable';
import { useCurrentUserRef } from './useCurrentUserRef';

/**
 * Revocation state on an entity page: the requests of a Component's
 * credentials, or of a MachineIdentity entity's own credential.
 *
 * @public
 */
export function EntityRevocationsCard() {
  const { entity } = useEntity();
  const api = useApi(machineIdentityApiRef);
  const currentUserRef = useCurrentUserRef();
  const [requests, setRequests] = useState<RevocationRequest[]>();
  const [error, setError] = useState<Error>();
  const identityId = isMachineIdentityEntityKind(entity) ? entity.metadata.annotations?.[ANNOTATION_IDENTITY_ID] : undefined;
  const entityRef = stringifyEntityRef(entity).toLowerCase();

  const load = useCallback(async () => {
    try {
      const page = await api.listRevocations(identityId ? { identityId, limit: 100 } : { entityRef, limit: 100 });
      setRequests(page.items);
    } catch (e) {
      setError(e as Error);
    }
  }, [api, identityId, entityRef]);
  useEffect(() => {
    load();
  }, [load]);

  if (error) return <ResponseErrorPanel error={error} />;
  if (!requests) return <Progress />;
  const canRequest = !!identityId && !requests.some(r => OPEN_REVOCATION_STATES.includes(r.state));
  const requestButton = canRequest ? <RequestRevocationButton identityId={identityId} onRequested={() => load()} /> : undefined;
  if (requests.length === 0) {
    return (
      <InfoCard title="Revocation" action={requestButton}>
        <Typography variant="body2">No revocation has been requested for {identityId ? 'this credential' : 'the credentials of this Component'}.</Typography>
      </InfoCard>
    );
  }
  return (
    <>
      {requestButton}
      <RevocationRequestTable title="Revocation" requests={requests} currentUserRef={currentUserRef} onChange={() => load()} />
    </>
  );
}
