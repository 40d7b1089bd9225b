import type {
  ReviewStatus,
  RevocationRequest,
} from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import type { IdentityRecord } from '../database/types';

/** A signed-in user acting on reviews: who, and which Groups they belong to. */
export interface ReviewCaller {
  userEntityRef: string;
  /** From `userInfo`: the user and the Groups they are a member of (catalog `memberOf`). */
  ownershipEntityRefs: string[];
}

/**
 * Creates revocation requests for `revoke` decisions; implemented by the
 * revocation workflow (`revocation/RevocationService`). Returns the existing
 * open request for the identity instead of a duplicate.
 */
export interface RevocationRequester {
  request(input: {
    identityId: string;
    reason: string;
    requestedBy: string;
    trigger: 'manual' | 'review' | 'decommissioned' | 'removed';
    entityRef?: string;
    campaignId?: string;
  }): Promise<Pick<RevocationRequest, 'id'>>;
}

/**
 * The identity-side writes reviews need: the derived `reviewStatus` column
 * (visible in the API and the catalog entity's status) and ownership after an
 * accepted reassignment.
 */
export interface ReviewIdentityWriter {
  /** Sets `review_status` of the identities inside `tx`, bumping their change sequence. */
  setReviewStatus(tx: Knex.Transaction, ids: string[], status: ReviewStatus): Promise<void>;
  /** Sets `review_status` of a campaign's identities (or its undecided ones) inside `tx`. */
  setCampaignReviewStatus(
    tx: Knex.Transaction,
    campaignId: string,
    status: ReviewStatus,
    options?: { undecidedOnly?: boolean },
  ): Promise<void>;
  /** The stored records of these identities (those that exist), read inside `tx`. */
  readRecords(tx: Knex.Transaction, ids: string[]): Promise<Map<string, IdentityRecord>>;
  /** Records the owner decided by review inside `tx` (highest ownership precedence). */
  setReviewOwner(tx: Knex.Transaction, identityId: string, owner: string): Promise<void>;
  /** Re-resolves ownership of these identities (only these) after the transaction committed. */
  reresolve(ids: string[]): Promise<void>;
}

/** Review settings read from `machineIdentity.reviews`. */
export interface ReviewSettings {
  /** How long a campaign has before it is overdue, in milliseconds. */
  dueInMs: number;
  /** Group that reviews orphans (`machineIdentity.fallbackOwner`). */
  fallbackOwner?: string;
  /**
   * `machineIdentity.reviews.requireSecondReviewer`: campaigns opened while it
   * is set need two different members to confirm a privileged identity.
   */
  requireSecondReviewer?: boolean;
}
