import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import { useCallback, useEffect, useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';

/**
 * For one identity: its open waiver requests by rule, and whether the
 * signed-in user is a member of its owning Group (who may ask for a waiver;
 * the backend checks the same). A list the user may not read is empty.
 */
export function useIdentityWaivers(identityId: string, owner: string | undefined) {
  const api = useApi(machineIdentityApiRef);
  const identityApi = useApi(identityApiRef);
  const [open, setOpen] = useState<Map<string, WaiverRequest>>(new Map());
  const [member, setMember] = useState(false);
  const load = useCallback(async () => {
    const requests = await api.listWaiverRequests({ identityId, state: 'requested' }).catch(() => [] as WaiverRequest[]);
    setOpen(new Map(requests.map(r => [r.ruleId, r])));
  }, [api, identityId]);
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    let live = true;
    identityApi
      .getBackstageIdentity()
      .then(i => live && setMember(!!owner && i.ownershipEntityRefs.map(r => r.toLowerCase()).includes(owner.toLowerCase())))
      .catch(() => live && setMember(false));
    return () => {
      live = false;
    };
  }, [identityApi, owner]);
  return { open, member, reload: load };
}
