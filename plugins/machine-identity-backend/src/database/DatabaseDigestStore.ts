import type { InventoryDatabase } from './InventoryDatabase';
import type { DigestClaimKey, DigestStore } from './types';

/**
 * Sent notification digests in `notification_digests` (primary key owner +
 * day + kind): a claim is an insert that loses on a key conflict, so one
 * digest per owner per day holds across restarts and replicas.
 *
 * @internal
 */
export class DatabaseDigestStore implements DigestStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseDigestStore {
    return new DatabaseDigestStore(options.database);
  }

  async claim(claim: DigestClaimKey & { itemCount: number; at: string }): Promise<boolean> {
    const inserted = await this.database
      .knex('notification_digests')
      .insert({
        owner: claim.owner,
        day: claim.day,
        kind: claim.kind,
        sent_at: claim.at,
        item_count: claim.itemCount,
      })
      .onConflict(['owner', 'day', 'kind'])
      .ignore()
      .returning('owner');
    return inserted.length === 1;
  }

  async release(claim: DigestClaimKey): Promise<void> {
    await this.database
      .knex('notification_digests')
      .where({ owner: claim.owner, day: claim.day, kind: claim.kind })
      .delete();
  }
}
