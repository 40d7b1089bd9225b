import type { ChangeFeedPage } from '@keyring/plugin-machine-identity-common';
import { applyAccessFilter } from './accessFilter';
import type { InventoryDatabase, StoreTransaction } from './InventoryDatabase';
import { type IdentityRow, rowToIdentityChange } from './rowMapping';
import type { ChangeFeedStore, IdentityAccessFilter } from './types';

/**
 * The change feed: identities ordered by `change_seq`, a unique position
 * allocated under the identity write lock.
 *
 * @internal
 */
export class DatabaseChangeFeedStore implements ChangeFeedStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseChangeFeedStore {
    return new DatabaseChangeFeedStore(options.database);
  }

  async allocator(tx: StoreTransaction): Promise<() => number> {
    await this.database.lockIdentityWrites(tx);
    const row = await tx('identities').max({ m: 'change_seq' }).first();
    let seq = Number(row?.m ?? 0);
    return () => ++seq;
  }

  async list(since: number, limit: number, access?: IdentityAccessFilter): Promise<ChangeFeedPage> {
    const q = this.database.knex('identities').where('change_seq', '>', since);
    applyAccessFilter(q, access);
    const rows = (await q.orderBy('change_seq').limit(limit + 1)) as IdentityRow[];
    const items = rows.slice(0, limit).map(rowToIdentityChange);
    return {
      items,
      nextSince: items.length ? items[items.length - 1].changeSeq : since,
      hasMore: rows.length > limit,
    };
  }

  async position(): Promise<number> {
    const row = await this.database.knex('identities').max({ m: 'change_seq' }).first();
    return Number(row?.m ?? 0);
  }

  async entitiesChangedSince(since: number): Promise<{ position: number; entities: Array<{ entityRef: string; changed: number }> }> {
    const position = await this.position();
    if (position <= since) return { position: since, entities: [] };
    const counts = new Map<string, number>();
    for (const column of ['owner', 'component'] as const) {
      const rows = (await this.database
        .knex('identities')
        .where('change_seq', '>', since)
        .where('change_seq', '<=', position)
        .whereNotNull(column)
        .groupBy(column)
        .select({ ref: column })
        .count({ n: '*' })) as Array<{ ref: string; n: number | string }>;
      for (const r of rows) counts.set(r.ref, (counts.get(r.ref) ?? 0) + Number(r.n));
    }
    return { position, entities: [...counts].map(([entityRef, changed]) => ({ entityRef, changed })) };
  }
}
