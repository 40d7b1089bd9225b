import type { ReviewStatus } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import type { IdentityRecord, InventoryStores } from '../database/types';
import type { ReviewIdentityWriter } from './types';

/**
 * The identity side of review decisions, through the inventory stores:
 * `review_status` (under the identity write lock, so each changed row gets a
 * fresh change_seq and the catalog entity's `status.review` follows), the
 * owner decided by review, and re-resolution of the identities it moved.
 *
 * @internal
 */
export class InventoryReviewIdentityWriter implements ReviewIdentityWriter {
  private constructor(
    private readonly stores: Pick<InventoryStores, 'changes' | 'identities'>,
    private readonly reresolveIds: (ids: string[]) => Promise<unknown>,
  ) {}

  /** `reresolve` re-resolves ownership of the given identities (the `OwnershipRefresher`). */
  static create(options: {
    stores: Pick<InventoryStores, 'changes' | 'identities'>;
    reresolve: (ids: string[]) => Promise<unknown>;
  }): InventoryReviewIdentityWriter {
    return new InventoryReviewIdentityWriter(options.stores, options.reresolve);
  }

  async setReviewStatus(tx: Knex.Transaction, ids: string[], status: ReviewStatus): Promise<void> {
    if (ids.length === 0) return;
    // Takes the identity write lock: sequence numbers read by the update stay ours until commit.
    await this.stores.changes.allocator(tx);
    await this.stores.identities.setReviewStatus(ids, status, tx);
  }

  async setCampaignReviewStatus(
    tx: Knex.Transaction,
    campaignId: string,
    status: ReviewStatus,
    options: { undecidedOnly?: boolean } = {},
  ): Promise<void> {
    await this.stores.changes.allocator(tx);
    await this.stores.identities.setCampaignReviewStatus(campaignId, status, options, tx);
  }

  readRecords(tx: Knex.Transaction, ids: string[]): Promise<Map<string, IdentityRecord>> {
    return this.stores.identities.getRecords(ids, tx);
  }

  async setReviewOwner(tx: Knex.Transaction, identityId: string, owner: string): Promise<void> {
    await this.stores.identities.setReviewDecision({ identityId, owner }, tx);
  }

  async reresolve(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.reresolveIds(ids);
  }
}
