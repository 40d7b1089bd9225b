import type { Knex } from 'knex';
import type { IdentityRecord } from './types';

type CountKey = [type: string, state: string, management: string, owned: number, violating: number];
type OwnerCountKey = [owner: string, type: string, state: string];

function addTo<K extends unknown[]>(deltas: Map<string, { key: K; n: number }>, key: K, n: number) {
  const id = JSON.stringify(key);
  const entry = deltas.get(id) ?? { key, n: 0 };
  entry.n += n;
  deltas.set(id, entry);
}

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
 * Changes to the `identity_counts` summary counters (and the per-owner
 * `identity_owner_counts`) collected while a
 * transaction rewrites identity rows, applied at its end (a statement per table).
 * Callers must hold the write lock while reading the rows they pass as `before`.
 *
 * @internal
 */
export class IdentityCountDeltas {
  private readonly deltas = new Map<string, { key: CountKey; n: number }>();
  private readonly ownerDeltas = new Map<string, { key: OwnerCountKey; n: number }>();

  private add(record: IdentityRecord, n: number) {
    addTo(this.deltas, keyOf(record), n);
    if (record.owner) addTo(this.ownerDeltas, [record.owner, record.type, record.state], n);
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
    const ownerRows = [...this.ownerDeltas.values()]
      .filter(d => d.n !== 0)
      .map(({ key: [owner, type, state], n }) => ({ owner, type, state, n }));
    this.deltas.clear();
    this.ownerDeltas.clear();
    if (rows.length > 0) {
      await tx('identity_counts')
        .insert(rows)
        .onConflict(['type', 'state', 'management', 'owned', 'violating'])
        .merge({ n: tx.raw('identity_counts.n + excluded.n') });
    }
    if (ownerRows.length > 0) {
      await tx('identity_owner_counts')
        .insert(ownerRows)
        .onConflict(['owner', 'type', 'state'])
        .merge({ n: tx.raw('identity_owner_counts.n + excluded.n') });
    }
  }
}
