import type {
  IdentityType,
  Reassignment,
  ReviewCampaign,
  ReviewItem,
  ReviewStatus,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';

/** A `review_campaigns` row. */
export interface CampaignRow {
  id: string;
  owner: string;
  state: string;
  opened_at: string;
  opened_by: string;
  due_at: string;
  completed_at: string | null;
  closed_at: string | null;
  escalated_at: string | null;
  total: number | string;
  decided: number | string;
  confirmed: number | string;
  reassigned: number | string;
  revoked: number | string;
  second_reviewer?: boolean | number | null;
  awaiting_second_review?: number | string | null;
}

/** A `review_items` row joined with the identity's display fields. */
export interface ItemRow {
  campaign_id: string;
  identity_id: string;
  decision: string | null;
  comment: string | null;
  to_owner: string | null;
  decided_by: string | null;
  decided_at: string | null;
  reassignment_id: string | null;
  revocation_id: string | null;
  privileged_reason?: string | null;
  first_confirmed_by?: string | null;
  first_confirmed_at?: string | null;
  display_name?: string | null;
  type?: string | null;
  component?: string | null;
  owner?: string | null;
  review_status?: string | null;
}

/** A `reassignments` row. */
export interface ReassignmentRow {
  id: string;
  identity_id: string;
  campaign_id: string | null;
  from_owner: string | null;
  to_owner: string;
  state: string;
  requested_by: string;
  requested_at: string;
  comment: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  display_name?: string | null;
}

/** A `waiver_requests` row. */
export interface WaiverRequestRow {
  id: string;
  identity_id: string;
  rule_id: string;
  reason: string;
  expires_at: string;
  owner: string | null;
  state: string;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  waiver_id: string | null;
  display_name?: string | null;
}

const opt = (value: string | null | undefined) => value ?? undefined;

/** `review_campaigns` row → API campaign. */
export function rowToCampaign(row: CampaignRow): ReviewCampaign {
  const total = Number(row.total);
  const decided = Number(row.decided);
  return {
    id: row.id,
    owner: row.owner,
    state: row.state as ReviewCampaign['state'],
    openedAt: row.opened_at,
    openedBy: row.opened_by,
    dueAt: row.due_at,
    completedAt: opt(row.completed_at),
    closedAt: opt(row.closed_at),
    escalatedAt: opt(row.escalated_at),
    secondReviewer: Boolean(row.second_reviewer),
    progress: {
      total,
      decided,
      confirmed: Number(row.confirmed),
      reassigned: Number(row.reassigned),
      revoked: Number(row.revoked),
      remaining: total - decided,
      awaitingSecondReview: Number(row.awaiting_second_review ?? 0),
    },
  };
}

/** Joined `review_items` row → API item. */
export function rowToItem(row: ItemRow): ReviewItem {
  return {
    identityId: row.identity_id,
    displayName: row.display_name ?? row.identity_id,
    type: (row.type ?? 'tls-certificate') as IdentityType,
    component: opt(row.component),
    owner: opt(row.owner),
    reviewStatus: (row.review_status ?? 'never') as ReviewStatus,
    decision: opt(row.decision) as ReviewItem['decision'],
    comment: opt(row.comment),
    toOwner: opt(row.to_owner),
    decidedBy: opt(row.decided_by),
    decidedAt: opt(row.decided_at),
    reassignmentId: opt(row.reassignment_id),
    revocationId: opt(row.revocation_id),
    privilegedReason: opt(row.privileged_reason),
    firstConfirmedBy: opt(row.first_confirmed_by),
    firstConfirmedAt: opt(row.first_confirmed_at),
  };
}

/** `reassignments` row → API reassignment. */
export function rowToReassignment(row: ReassignmentRow): Reassignment {
  return {
    id: row.id,
    identityId: row.identity_id,
    identityDisplayName: opt(row.display_name),
    campaignId: opt(row.campaign_id),
    fromOwner: opt(row.from_owner),
    toOwner: row.to_owner,
    state: row.state as Reassignment['state'],
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    comment: row.comment,
    decidedBy: opt(row.decided_by),
    decidedAt: opt(row.decided_at),
    decisionComment: opt(row.decision_comment),
  };
}

/** `waiver_requests` row → API waiver request. */
export function rowToWaiverRequest(row: WaiverRequestRow): WaiverRequest {
  return {
    id: row.id,
    identityId: row.identity_id,
    identityDisplayName: opt(row.display_name),
    ruleId: row.rule_id,
    reason: row.reason,
    expiresAt: row.expires_at,
    owner: opt(row.owner),
    state: row.state as WaiverRequest['state'],
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    decidedBy: opt(row.decided_by),
    decidedAt: opt(row.decided_at),
    decisionComment: opt(row.decision_comment),
    waiverId: opt(row.waiver_id),
  };
}
