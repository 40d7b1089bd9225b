import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ApiQuery,
  ApiSchema,
  Identity,
  IdentityDetails,
  Page,
  Reassignment,
  RetiredComponent,
  ReviewCampaign,
  ReviewCampaignDetails,
  ReviewDecisionInput,
  ReviewDecisionResult,
  RevocationRequest,
  ScanRun,
  ScanSource,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';

/**
 * Filters of `GET /identities` (the spec's query parameters); `cursor` and
 * `limit` page through the results.
 *
 * @public
 */
export type IdentityQuery = ApiQuery<'listIdentities'>;

/**
 * Filters of `GET /violations`.
 *
 * @public
 */
export type ViolationQuery = ApiQuery<'listViolations'>;

/**
 * A violation as `GET /violations` lists it: the violation plus the display
 * fields of its identity.
 *
 * @public
 */
export type ViolationListItem = ApiSchema<'ViolationListItem'>;

/**
 * A policy rule as `GET /policy` describes it.
 *
 * @public
 */
export type PolicyRule = ApiSchema<'PolicyRule'>;

/**
 * The inventory summary, with open violations per rule (`byRule`) for the
 * "top violated rules" view.
 *
 * @public
 */
export type MachineIdentitySummary = ApiSchema<'InventorySummary'>;

/**
 * Filters of `GET /revocations`.
 *
 * @public
 */
export type RevocationQuery = ApiQuery<'listRevocations'>;

/**
 * Filters of `GET /reviews/campaigns`.
 *
 * @public
 */
export type ReviewCampaignQuery = ApiQuery<'listReviewCampaigns'>;

/**
 * Item filters and paging of `GET /reviews/campaigns/:id`.
 *
 * @public
 */
export type ReviewItemQuery = ApiQuery<'getReviewCampaign'>;

/**
 * Filters of `GET /reassignments` (`awaitingMe`: pending for the caller's Groups).
 *
 * @public
 */
export type ReassignmentQuery = ApiQuery<'listReassignments'>;

/**
 * Filters of `GET /waiver-requests` (`awaitingMe`: open requests by others).
 *
 * @public
 */
export type WaiverRequestQuery = ApiQuery<'listWaiverRequests'>;

/**
 * A waiver request's body (`POST /identities/{id}/waivers`): the rule, why, and until when.
 *
 * @public
 */
export type WaiverRequestInput = ApiSchema<'WaiverCreate'>;

/**
 * Keyring's REST API as the frontend uses it.
 *
 * @public
 */
export interface MachineIdentityApi {
  /** One page of identities matching the filters. */
  listIdentities(query?: IdentityQuery): Promise<Page<Identity>>;
  /** One identity with its observations, violations and history. */
  getIdentity(id: string): Promise<IdentityDetails>;
  /** Inventory totals for the overview page. */
  getSummary(): Promise<MachineIdentitySummary>;
  /** Configured scan sources with their last run. */
  listSources(): Promise<ScanSource[]>;
  /** Starts a scan of one source now (or returns the run already going). */
  triggerScan(sourceId: string): Promise<ApiSchema<'ScanStarted'>>;
  /** The status of one scan run. */
  getScan(scanId: string): Promise<ScanRun>;
  /** One page of policy violations matching the filters. */
  listViolations(query?: ViolationQuery): Promise<Page<ViolationListItem>>;
  /** The policy as configured. */
  getPolicy(): Promise<PolicyRule[]>;
  /** One page of revocation requests matching the filters. */
  listRevocations(query?: RevocationQuery): Promise<Page<RevocationRequest>>;
  /** Requests the revocation of one identity as the signed-in user. */
  requestRevocation(identityId: string, reason: string): Promise<RevocationRequest>;
  /** Approves someone else's revocation request. */
  approveRevocation(id: string, comment?: string): Promise<RevocationRequest>;
  /** Rejects a revocation request with a comment. */
  rejectRevocation(id: string, comment: string): Promise<RevocationRequest>;
  /** Components retired in the catalog with their revocations and flagged shared credentials. */
  listDecommissionedComponents(): Promise<RetiredComponent[]>;
  /** Ownership review campaigns, newest first. */
  listReviewCampaigns(query?: ReviewCampaignQuery): Promise<ReviewCampaign[]>;
  /** One campaign with a page of its items. */
  getReviewCampaign(id: string, query?: ReviewItemQuery): Promise<ReviewCampaignDetails>;
  /** Attests items of a campaign as the signed-in user (up to 1,000 at once). */
  decideReviewItems(campaignId: string, decisions: ReviewDecisionInput[]): Promise<ReviewDecisionResult>;
  /** Reassignments matching the filters. */
  listReassignments(query?: ReassignmentQuery): Promise<Reassignment[]>;
  /** Accepts or rejects a reassignment to one of the user's Groups. */
  decideReassignment(id: string, decision: 'accept' | 'reject', comment?: string): Promise<Reassignment>;
  /** Asks for a waiver of one rule of one identity until `expiresAt`, as the signed-in member of its owning Group. */
  requestWaiver(identityId: string, input: WaiverRequestInput): Promise<WaiverRequest>;
  /** Waiver requests matching the filters. */
  listWaiverRequests(query?: WaiverRequestQuery): Promise<WaiverRequest[]>;
  /** Approves or rejects someone else's waiver request. */
  decideWaiverRequest(id: string, decision: 'approve' | 'reject', comment?: string): Promise<WaiverRequest>;
}

/**
 * Reference to the {@link MachineIdentityApi}.
 *
 * @public
 */
export const machineIdentityApiRef = createApiRef<MachineIdentityApi>({
  id: 'plugin.machine-identity.service',
});
