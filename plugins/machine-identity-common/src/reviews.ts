import type { components } from './generated/openapi';

type ApiSchemas = components['schemas'];

/** Where an ownership review campaign stands. */
export type CampaignState = ApiSchemas['CampaignState'];

/** Every campaign state. */
export const CAMPAIGN_STATES: readonly CampaignState[] = ['open', 'completed', 'overdue', 'closed'];

/** What a reviewer decides about one identity. */
export type ReviewDecisionKind = ApiSchemas['ReviewDecisionKind'];

/** Every review decision. */
export const REVIEW_DECISIONS: readonly ReviewDecisionKind[] = ['confirm', 'reassign', 'revoke'];

/** Progress counts of a campaign. */
export type CampaignProgress = ApiSchemas['CampaignProgress'];

/** One ownership review campaign: one owning Group, its active identities at opening. */
export type ReviewCampaign = ApiSchemas['ReviewCampaign'];

/** One identity to attest in a campaign, with its decision once made. */
export type ReviewItem = ApiSchemas['ReviewItem'];

/** A campaign with a page of its items (`GET /reviews/campaigns/:id`). */
export type ReviewCampaignDetails = ApiSchemas['ReviewCampaignDetails'];

/** One decision of `POST /reviews/campaigns/:id/decisions`. */
export type ReviewDecisionInput = ApiSchemas['ReviewDecisionInput'];

/** Answer of `POST /reviews/campaigns/:id/decisions`. */
export type ReviewDecisionResult = ApiSchemas['ReviewDecisionResult'];

/** Where a reassignment stands. */
export type ReassignmentState = ApiSchemas['Reassignment']['state'];

/** An identity handed to another Group; the owner changes only once that Group accepts. */
export type Reassignment = ApiSchemas['Reassignment'];

/** Where a waiver request stands. */
export type WaiverRequestState = ApiSchemas['WaiverRequest']['state'];

/** A waiver asked for by the owning team; a second person grants or refuses it. */
export type WaiverRequest = ApiSchemas['WaiverRequest'];

/** One append-only audit event. */
export type AuditEvent = ApiSchemas['AuditEvent'];
