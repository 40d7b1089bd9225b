import { useApi } from '@backstage/core-plugin-api';
import type {
  Reassignment,
  ReviewCampaign,
  ReviewCampaignDetails,
  RevocationRequest,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';
import { useCallback, useEffect, useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import type { ItemFilter } from './ReviewItemsTable';

/** What the Ownership review tab shows for one Group. */
export interface OwnershipReviewData {
  campaigns: ReviewCampaign[];
  current?: ReviewCampaignDetails;
  reassignments: Reassignment[];
  /** Open waiver requests by others that the user may decide. */
  waivers: WaiverRequest[];
  /** Open waiver requests for this Group's identities (the user's own among them). */
  groupWaivers: WaiverRequest[];
  revocations: RevocationRequest[];
}

/**
 * Loads a Group's campaigns (the unfinished or latest one with its items),
 * the reassignments waiting for the Group, and what waits for the user's
 * approval. Lists the user may not read (no approve permission) are empty.
 */
export function useOwnershipReview(groupRef: string, filter: ItemFilter) {
  const api = useApi(machineIdentityApiRef);
  const [data, setData] = useState<OwnershipReviewData>();
  const [error, setError] = useState<Error>();
  const load = useCallback(async () => {
    try {
      const campaigns = await api.listReviewCampaigns({ owner: groupRef });
      const latest = campaigns.find(c => c.state === 'open' || c.state === 'overdue') ?? campaigns[0];
      const optional = <T,>(p: Promise<T[]>) => p.catch(() => [] as T[]);
      const [current, reassignments, waivers, groupWaivers, revocations] = await Promise.all([
        latest
          ? api.getReviewCampaign(latest.id, { limit: 1000, ...(filter === 'all' ? {} : { decision: filter }) })
          : Promise.resolve(undefined),
        optional(api.listReassignments({ awaitingMe: true })),
        optional(api.listWaiverRequests({ awaitingMe: true })),
        optional(api.listWaiverRequests({ owner: groupRef, state: 'requested' })),
        optional(api.listRevocations({ owner: groupRef, state: 'requested', limit: 100 }).then(p => p.items)),
      ]);
      setData({
        campaigns,
        current,
        reassignments: reassignments.filter(r => r.toOwner === groupRef),
        waivers,
        groupWaivers,
        revocations,
      });
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  }, [api, groupRef, filter]);
  useEffect(() => {
    load();
  }, [load]);
  return { data, error, reload: load };
}
