import type { Knex } from 'knex';
import type { IdentityRecord } from './types';

type CountKey = [type: string, state: string, management: string, owned: number, violating: number];

function keyOf(record: IdentityRecord): CountKey {
  return [
    record.type,
    record.state,
    record.management,
    record.ownershipRule !== 'fallback' && record.owner ? 1 : 0,
    record.violationCount > 0 ? 1 : 0,
  ];
}

/**
 * Changes to the `identity_counts` summary counters collected while a
 * transaction rewrites identity rows, applied in one statement at its end.
 * Callers must hold the write lock while reading the rows they pass as `before`.
 *
 * @internal
 */
export class IdentityCountDeltas {
  private readonly deltas = new Map<string, { key: CountKey; n: number }>();

  private add(record: IdentityRecord, n: number) {
    const key = keyOf(record);
    const id = JSON.stringify(key);
    const entry = this.deltas.get(id) ?? { key, n: 0 };
    entry.n += n;
    this.deltas.set(id, entry);
  }

  /** Records a row's move from `before` (undefined for a new identity) to `after`. */
  change(before: IdentityRecord | undefined, after: IdentityRecord) {
    if (before) {
      this.add(before, -1);
    }
    this.add(after, 1);
  }

  /** Adds the collected changes to the counters. */
  async apply(tx: Knex.Transaction): Promise<void> {
    const rows = [...this.deltas.values()]
      .filter(d => d.n !== 0)
      .map(({ key: [type, state, management, owned, violating], n }) => ({ type, state, management, owned, violating, n }));
    this.deltas.clear();
    if (rows.length === 0) {
      return;
    }
    await tx('identity_counts')
      .insert(rows)
      .onConflict(['type', 'state', 'management', 'owned', 'violating'])
      .merge({ n: tx.raw('identity_counts.n + excluded.n') });
  }
}
