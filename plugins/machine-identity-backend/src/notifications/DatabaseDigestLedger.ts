import type { Knex } from 'knex';
import type { DigestClaim, DigestLedger } from './types';

/**
 * The {@link DigestLedger} in the plugin's database (`notification_digests`,
 * primary key owner + day + kind): a claim is an insert that loses on a
 * key conflict, so one digest per owner per day holds across restarts and
 * replicas. The table is created by the inventory store's migrations.
 */
export class DatabaseDigestLedger implements DigestLedger {
  private constructor(private readonly db: Knex) {}

  /** A ledger on a migrated plugin database client. */
  static create(options: { client: Knex }): DatabaseDigestLedger {
    return new DatabaseDigestLedger(options.client);
  }

  async claim(claim: DigestClaim & { itemCount: number; at: string }): Promise<boolean> {
    const inserted = await this.db('notification_digests')
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

  async release(claim: DigestClaim): Promise<void> {
    await this.db('notification_digests')
      .where({ owner: claim.owner, day: claim.day, kind: claim.kind })
      .delete();
  }
}
