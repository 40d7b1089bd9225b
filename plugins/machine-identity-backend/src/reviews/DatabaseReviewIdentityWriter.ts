import type { ReviewStatus } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import type { InventoryStores } from '../database/types';
import type { ReviewIdentityWriter } from './types';

const CHUNK = 500;

/**
 * Sets `review_status` on the identities `selectIds` returns, giving each a
 * new change_seq above the current maximum (no clash with the unique index).
 * The caller holds the identity write lock.
 */
async function setStatusRenumbered(
  tx: Knex.Transaction,
  status: ReviewStatus,
  selectIds: string,
  params: unknown[],
): Promise<void> {
  await tx.raw(
    `UPDATE identities SET review_status = ?, change_seq = m.base + s.rn
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM (${selectIds}) AS picked) AS s,
          (SELECT coalesce(max(change_seq), 0) AS base FROM identities) AS m
     WHERE identities.id = s.id`,
    [status, ...params] as any[],
  );
}

/**
 * Writes the review columns of `identities` inside review transactions:
 * `review_status` in one set-based statement per 500 ids (with a fresh
 * change_seq per changed row under the identity write lock, so the catalog
 * entity's `status.review` follows) and the owner decided by review.
 *
 * @internal
 */
export class DatabaseReviewIdentityWriter implements ReviewIdentityWriter {
  private constructor(
    private readonly stores: Pick<InventoryStores, 'changes' | 'identities'>,
    private readonly reresolveAll: (now: Date) => Promise<unknown>,
  ) {}

  /** `reresolve` re-resolves ownership (the `OwnershipRefresher`). */
  static create(options: {
    stores: Pick<InventoryStores, 'changes' | 'identities'>;
    reresolve: (now: Date) => Promise<unknown>;
  }): DatabaseReviewIdentityWriter {
    return new DatabaseReviewIdentityWriter(options.stores, options.reresolve);
  }

  async setReviewStatus(tx: Knex.Transaction, ids: string[], status: ReviewStatus): Promise<void> {
    if (ids.length === 0) return;
    // Takes the identity write lock: sequence numbers read below stay ours until commit.
    await this.stores.changes.allocator(tx);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await setStatusRenumbered(
        tx,
        status,
        `SELECT id FROM identities WHERE id IN (${chunk.map(() => '?').join(',')}) AND review_status <> ?`,
        [...chunk, status],
      );
    }
  }

  async setCampaignReviewStatus(
    tx: Knex.Transaction,
    campaignId: string,
    status: ReviewStatus,
    options: { undecidedOnly?: boolean } = {},
  ): Promise<void> {
    await this.stores.changes.allocator(tx);
    // One statement for the whole campaign: far cheaper than id lists at 20,000 items.
    await setStatusRenumbered(
      tx,
      status,
      `SELECT i.id FROM review_items ri JOIN identities i ON i.id = ri.identity_id
       WHERE ri.campaign_id = ? AND i.review_status <> ?${options.undecidedOnly ? ' AND ri.decision IS NULL' : ''}`,
      [campaignId, status],
    );
  }

  async setReviewOwner(tx: Knex.Transaction, identityId: string, owner: string): Promise<void> {
    await this.stores.identities.setReviewDecision({ identityId, owner }, tx);
  }

  async reresolve(_ids: string[], now: Date): Promise<void> {
    await this.reresolveAll(now);
  }
}
