import type { ReviewStatus } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import type { ReviewIdentityWriter } from './types';

/**
 * The advisory lock that serialises change_seq allocation on PostgreSQL; the
 * same key as the inventory store's, so review writes and scans never hand
 * out the same sequence number.
 */
const CHANGE_SEQ_LOCK = 7_340_731;
const CHUNK = 500;

/**
 * Writes the review columns of `identities` inside review transactions:
 * `review_status` (with a fresh change_seq per changed row, so the catalog
 * entity's `status.review` follows) and `review_owner`.
 *
 * @internal
 */
export class DatabaseReviewIdentityWriter implements ReviewIdentityWriter {
  private constructor(
    private readonly isPostgres: boolean,
    private readonly reresolveAll: (now: Date) => Promise<unknown>,
  ) {}

  /** `reresolveAll` re-resolves ownership (the `OwnershipRefresher`). */
  static create(options: { db: Knex; reresolve: (now: Date) => Promise<unknown> }): DatabaseReviewIdentityWriter {
    const name = String(options.db.client.config.client ?? '');
    return new DatabaseReviewIdentityWriter(['pg', 'postgres', 'postgresql'].includes(name), options.reresolve);
  }

  async setReviewStatus(tx: Knex.Transaction, ids: string[], status: ReviewStatus): Promise<void> {
    if (ids.length === 0) return;
    if (this.isPostgres) await tx.raw('SELECT pg_advisory_xact_lock(?)', [CHANGE_SEQ_LOCK]);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      // New sequence numbers are all above the current maximum: no clash with the unique index.
      await tx.raw(
        `UPDATE identities SET review_status = ?, change_seq = m.base + s.rn
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM identities
               WHERE id IN (${chunk.map(() => '?').join(',')}) AND review_status <> ?) AS s,
              (SELECT coalesce(max(change_seq), 0) AS base FROM identities) AS m
         WHERE identities.id = s.id`,
        [status, ...chunk, status],
      );
    }
  }

  async setReviewOwner(tx: Knex.Transaction, identityId: string, owner: string): Promise<void> {
    await tx('identities').where({ id: identityId }).update({ review_owner: owner });
  }

  async reresolve(_ids: string[], now: Date): Promise<void> {
    await this.reresolveAll(now);
  }
}
