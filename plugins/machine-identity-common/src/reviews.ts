import type { IdentityType, ReviewStatus } from './types';

/** Where an ownership review campaign stands. */
export type CampaignState = 'open' | 'completed' | 'overdue' | 'closed';

/** Every campaign state. */
export const CAMPAIGN_STATES: readonly CampaignState[] = ['open', 'completed', 'overdue', 'closed'];

/** What a reviewer decides about one identity. */
export type ReviewDecisionKind = 'confirm' | 'reassign' | 'revoke';

/** Every review decision. */
export const REVIEW_DECISIONS: readonly ReviewDecisionKind[] = ['confirm', 'reassign', 'revoke'];

/** Progress counts of a campaign. */
export interface CampaignProgress {
  total: number;
  decided: number;
  confirmed: number;
  reassigned: number;
  revoked: number;
  /** `total - decided`. */
  remaining: number;
}

/** One ownership review campaign: one owning Group, its active identities at opening. */
export interface ReviewCampaign {
  id: string;
  owner: string;
  state: CampaignState;
  openedAt: string;
  /** User ref of the admin who opened it, or `schedule`. */
  openedBy: string;
  dueAt: string;
  completedAt?: string;
  closedAt?: string;
  escalatedAt?: string;
  progress: CampaignProgress;
}

/** One identity to attest in a campaign, with its decision once made. */
export interface ReviewItem {
  identityId: string;
  displayName: string;
  type: IdentityType;
  component?: string;
  /** The identity's current owner (unchanged until a reassignment is accepted). */
  owner?: string;
  reviewStatus: ReviewStatus;
  decision?: ReviewDecisionKind;
  comment?: string;
  toOwner?: string;
  decidedBy?: string;
  decidedAt?: string;
  reassignmentId?: string;
  revocationId?: string;
}

/** A campaign with a page of its items (`GET /reviews/campaigns/:id`). */
export interface ReviewCampaignDetails extends ReviewCampaign {
  items: ReviewItem[];
  nextCursor?: string;
}

/** One decision of `POST /reviews/campaigns/:id/decisions`. */
export interface ReviewDecisionInput {
  identityId: string;
  decision: ReviewDecisionKind;
  /** Required for `reassign` and `revoke`. */
  comment?: string;
  /** Group ref receiving the identity; required for `reassign`. */
  toOwner?: string;
}

/** Answer of `POST /reviews/campaigns/:id/decisions`. */
export interface ReviewDecisionResult {
  campaign: ReviewCampaign;
  decided: number;
  reassignmentIds: string[];
  revocationIds: string[];
}

/** Where a reassignment stands. */
export type ReassignmentState = 'pending' | 'accepted' | 'rejected';

/** An identity handed to another Group; the owner changes only once that Group accepts. */
export interface Reassignment {
  id: string;
  identityId: string;
  identityDisplayName?: string;
  campaignId?: string;
  fromOwner?: string;
  toOwner: string;
  state: ReassignmentState;
  requestedBy: string;
  requestedAt: string;
  comment: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
}

/** Where a waiver request stands. */
export type WaiverRequestState = 'requested' | 'approved' | 'rejected';

/** A waiver asked for by the owning team; a second person grants or refuses it. */
export interface WaiverRequest {
  id: string;
  identityId: string;
  identityDisplayName?: string;
  ruleId: string;
  reason: string;
  expiresAt: string;
  owner?: string;
  state: WaiverRequestState;
  requestedBy: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  /** The granted waiver, once approved. */
  waiverId?: string;
}

/** One append-only audit event. */
export interface AuditEvent {
  id: string;
  at: string;
  /** User or service ref; absent for the system (scans, evaluation). */
  actor?: string;
  action: string;
  identityId?: string;
  campaignId?: string;
  before?: unknown;
  after?: unknown;
  comment?: string;
  /** Human summary of the event. */
  message: string;
}
