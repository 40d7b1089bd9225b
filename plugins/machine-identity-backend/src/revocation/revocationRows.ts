import type {
  RevocationFlag,
  RevocationRequest,
  RevocationState,
  RevocationTrigger,
} from '@keyring/plugin-machine-identity-common';
import type { NewRevocationRequest, RevocationPatch } from './types';

/** A `revocation_requests` row, optionally joined with the identity's name and type. */
export interface RevocationRow {
  id: string;
  identity_id: string;
  state: string;
  trigger: string;
  reason: string;
  entity_ref: string | null;
  owner: string | null;
  campaign_id: string | null;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  execute_after: string | null;
  expires_at: string | null;
  places: string;
  revoker_id: string | null;
  outcome_message: string | null;
  outcome_details: string | null;
  executed_at: string | null;
  verified_at: string | null;
  reappeared_at: string | null;
  updated_at: string;
  display_name?: string | null;
  identity_type?: string | null;
}

const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** Maps a row to the API type (the one place snake_case becomes camelCase). */
export function rowToRevocation(row: RevocationRow): RevocationRequest {
  return {
    id: row.id,
    identityId: row.identity_id,
    identityDisplayName: opt(row.display_name),
    identityType: opt(row.identity_type),
    state: row.state as RevocationState,
    trigger: row.trigger as RevocationTrigger,
    reason: row.reason,
    entityRef: opt(row.entity_ref),
    owner: opt(row.owner),
    campaignId: opt(row.campaign_id),
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    decidedBy: opt(row.decided_by),
    decidedAt: opt(row.decided_at),
    decisionComment: opt(row.decision_comment),
    executeAfter: opt(row.execute_after),
    expiresAt: opt(row.expires_at),
    places: JSON.parse(row.places),
    revokerId: opt(row.revoker_id),
    outcomeMessage: opt(row.outcome_message),
    outcomeDetails: row.outcome_details ? JSON.parse(row.outcome_details) : undefined,
    executedAt: opt(row.executed_at),
    verifiedAt: opt(row.verified_at),
    reappearedAt: opt(row.reappeared_at),
    updatedAt: row.updated_at,
  };
}

/** The insert row of a new request. */
export function newRevocationRow(r: NewRevocationRequest): Record<string, unknown> {
  return {
    id: r.id,
    identity_id: r.identityId,
    state: 'requested',
    trigger: r.trigger,
    reason: r.reason,
    entity_ref: r.entityRef ?? null,
    owner: r.owner ?? null,
    campaign_id: r.campaignId ?? null,
    requested_by: r.requestedBy,
    requested_at: r.requestedAt,
    expires_at: r.expiresAt ?? null,
    places: JSON.stringify(r.places),
    updated_at: r.requestedAt,
  };
}

const PATCH_COLUMNS: Record<keyof RevocationPatch, string> = {
  decidedBy: 'decided_by',
  decidedAt: 'decided_at',
  decisionComment: 'decision_comment',
  executeAfter: 'execute_after',
  revokerId: 'revoker_id',
  outcomeMessage: 'outcome_message',
  outcomeDetails: 'outcome_details',
  executedAt: 'executed_at',
  verifiedAt: 'verified_at',
  owner: 'owner',
};

/** The update columns of a transition's patch. */
export function patchToColumns(patch: RevocationPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
    const value = patch[key as keyof RevocationPatch];
    if (value === undefined) continue;
    out[column] = key === 'outcomeDetails' ? JSON.stringify(value) : value;
  }
  return out;
}

/** A `revocation_flags` row as the API type. */
export function rowToFlag(row: {
  entity_ref: string;
  identity_id: string;
  shared_with: string;
  owner: string | null;
  flagged_at: string;
  display_name?: string | null;
}): RevocationFlag {
  return {
    entityRef: row.entity_ref,
    identityId: row.identity_id,
    identityDisplayName: opt(row.display_name),
    sharedWith: JSON.parse(row.shared_with),
    owner: opt(row.owner),
    flaggedAt: row.flagged_at,
  };
}
