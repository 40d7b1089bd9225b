import { type InventoryDatabase, type StoreTransaction, chunks } from './InventoryDatabase';
import type { SightingStore } from './types';

/** Sightings per statement: one JSON or array parameter each. */
const STATEMENT_CHUNK = 5_000;
/** (identity, location) pairs per SQLite statement. */
const PAIR_CHUNK = 300;

/** Chunks of about `size` sightings that never split one identity's sightings. */
function* chunksByIdentity<T extends [string, ...unknown[]]>(items: T[], size: number): Iterable<T[]> {
  let chunk: T[] = [];
  for (const [index, item] of items.entries()) {
    chunk.push(item);
    if (chunk.length >= size && items[index + 1]?.[0] !== item[0]) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * The `scan_sightings` log: a batch whose identities a scan saw unchanged
 * writes one row (the batch's pairs as JSON) instead of one update per
 * observation; the run's end applies every row of the run (all its shards)
 * set-based (one statement per 5,000 sightings) and deletes them.
 *
 * @internal
 */
export class DatabaseSightingStore implements SightingStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseSightingStore {
    return new DatabaseSightingStore(options.database);
  }

  async log(scanId: string, seenAt: string, pairs: Array<[string, string]>, tx?: StoreTransaction): Promise<void> {
    if (pairs.length === 0) return;
    await (tx ?? this.database.knex)('scan_sightings').insert({ scan_id: scanId, seen_at: seenAt, pairs: JSON.stringify(pairs) });
  }

  async logUnchanged(
    scan: { scanId: string; sourceId: string; seenAt: string },
    sightings: Array<[string, string, string | null]>,
    tx: StoreTransaction,
  ): Promise<Set<string>> {
    if (sightings.length === 0) return new Set();
    if (this.database.isPostgres) return this.logUnchangedPostgres(scan, sightings, tx);
    const live = new Map<string, string | null>();
    for (const chunk of chunks([...new Set(sightings.map(s => s[0]))], STATEMENT_CHUNK)) {
      const rows = (await tx('observations')
        .select('identity_id', 'location', 'content_hash')
        .where('source_id', scan.sourceId)
        .whereNull('gone_at')
        .whereIn('identity_id', chunk)) as { identity_id: string; location: string; content_hash: string | null }[];
      for (const row of rows) live.set(JSON.stringify([row.identity_id, row.location]), row.content_hash ?? null);
    }
    const changed = new Set<string>();
    for (const [identityId, location, hash] of sightings) {
      const k = JSON.stringify([identityId, location]);
      if (hash === null || live.get(k) !== hash) changed.add(identityId);
    }
    const unchanged = new Set(sightings.map(s => s[0]).filter(id => !changed.has(id)));
    await this.log(
      scan.scanId,
      scan.seenAt,
      sightings.filter(s => unchanged.has(s[0])).map(([identityId, location]) => [identityId, location]),
      tx,
    );
    return unchanged;
  }

  /**
   * One statement per batch: each sighting looks up its live observation by the whole
   * unique key (identity, source, location) in a LATERAL subquery, so the plan is a
   * unique-index probe per sighting whatever the statistics of a freshly loaded table say
   * (matching by identity alone, or an EXISTS the planner turns into a hashed subplan,
   * scanned the whole source per batch: 15 ms at 30,000 observations, growing with the
   * source). The probe names only the unique key: with `gone_at IS NULL` in it, a table
   * not yet analyzed made the planner pick the partial (source, location) index and filter
   * the whole source per sighting (30 s a batch at 50,000 observations); the live check is
   * in the select instead. The log row is written by the same statement. A null hash
   * never matches.
   */
  private async logUnchangedPostgres(
    scan: { scanId: string; sourceId: string; seenAt: string },
    sightings: Array<[string, string, string | null]>,
    tx: StoreTransaction,
  ): Promise<Set<string>> {
    const unchanged = new Set<string>();
    // One statement per batch; a batch over the chunk size (rare) logs one row per chunk of whole identities.
    const ordered = sightings.length > STATEMENT_CHUNK ? [...sightings].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : sightings;
    for (const chunk of chunksByIdentity(ordered, STATEMENT_CHUNK)) {
      const result = await tx.raw(
        `WITH b AS (SELECT * FROM json_to_recordset(?::json) AS b(i text, l text, h text)),
         m AS (
           SELECT b.i, b.l, (o.h IS NOT NULL AND o.h = b.h AND o.gone_at IS NULL) AS same
           FROM b LEFT JOIN LATERAL (
             SELECT o.content_hash AS h, o.gone_at FROM observations o
             WHERE o.identity_id = b.i AND o.source_id = ? AND o.location = b.l
             LIMIT 1
           ) o ON true
         ),
         u AS (SELECT i FROM m GROUP BY i HAVING bool_and(same)),
         logged AS (
           INSERT INTO scan_sightings (scan_id, seen_at, pairs)
           SELECT ?, ?, json_agg(json_build_array(m.i, m.l))::text FROM m WHERE m.i IN (SELECT i FROM u)
           HAVING count(*) > 0
           RETURNING 1
         )
         SELECT i FROM u`,
        [JSON.stringify(chunk.map(([i, l, h]) => ({ i, l, h }))), scan.sourceId, scan.scanId, scan.seenAt],
      );
      for (const row of result.rows as { i: string }[]) unchanged.add(row.i);
    }
    return unchanged;
  }

  async apply(scanId: string, sourceId: string, tx: StoreTransaction): Promise<number> {
    const rows = (await tx('scan_sightings').select('seen_at', 'pairs').where('scan_id', scanId).orderBy('id')) as {
      seen_at: string;
      pairs: string;
    }[];
    if (rows.length === 0) return 0;
    // A pair logged by two batches keeps its latest sighting.
    const latest = new Map<string, [string, string, string]>();
    for (const row of rows) {
      for (const [identityId, location] of JSON.parse(row.pairs) as [string, string][]) {
        const k = JSON.stringify([identityId, location]);
        const seen = latest.get(k);
        if (!seen || seen[2] < row.seen_at) latest.set(k, [identityId, location, row.seen_at]);
      }
    }
    const sightings = [...latest.values()];
    const identities = new Map<string, string>();
    for (const [identityId, , seenAt] of sightings) {
      if ((identities.get(identityId) ?? '') < seenAt) identities.set(identityId, seenAt);
    }
    if (this.database.isPostgres) {
      await this.applyPostgres(scanId, sourceId, sightings, identities, tx);
    } else {
      await this.applySqlite(scanId, sourceId, sightings, identities, tx);
    }
    await tx('scan_sightings').where('scan_id', scanId).delete();
    return sightings.length;
  }

  async dropEnded(): Promise<number> {
    const db = this.database.knex;
    return db('scan_sightings')
      .whereNotExists(db('scan_runs as r').select(db.raw('1')).whereRaw('r.id = scan_sightings.scan_id').where('r.status', 'running'))
      .delete();
  }

  /**
   * Arbitrated by the unique (identity_id, source_id, location) index and the
   * primary key, so the plan never depends on statistics of a freshly loaded
   * table; only the unindexed last_seen / last_scan_id move (HOT updates).
   * Observations are never deleted, so the insert arm never inserts. The identities'
   * update names its ids a second time as `id = ANY(…)`: joined to the unnest alone, a
   * freshly loaded table (no statistics) was hash-joined by a full scan per chunk.
   */
  private async applyPostgres(
    scanId: string,
    sourceId: string,
    sightings: [string, string, string][],
    identities: Map<string, string>,
    tx: StoreTransaction,
  ) {
    for (const chunk of chunks(sightings, STATEMENT_CHUNK)) {
      const rows = chunk.map(([identity_id, location, seen]) => ({
        identity_id,
        source_id: sourceId,
        location,
        first_seen: seen,
        last_seen: seen,
        last_scan_id: scanId,
      }));
      await tx.raw(
        `INSERT INTO observations (identity_id, source_id, location, first_seen, last_seen, last_scan_id)
         SELECT identity_id, source_id, location, first_seen, last_seen, last_scan_id FROM json_populate_recordset(NULL::observations, ?::json)
         ON CONFLICT (identity_id, source_id, location) DO UPDATE SET last_seen = excluded.last_seen, last_scan_id = excluded.last_scan_id
         WHERE observations.gone_at IS NULL AND observations.last_seen <= excluded.last_seen`,
        [JSON.stringify(rows)],
      );
    }
    for (const chunk of chunks([...identities], STATEMENT_CHUNK)) {
      await tx.raw(
        `UPDATE identities SET last_seen = v.seen FROM unnest(?::text[], ?::text[]) AS v(id, seen)
         WHERE identities.id = v.id AND identities.id = ANY(?::text[]) AND identities.last_seen < v.seen`,
        [chunk.map(c => c[0]), chunk.map(c => c[1]), chunk.map(c => c[0])],
      );
    }
  }

  /**
   * Grouped by sighting time (one group per logged batch), then the pairs as
   * an index lookup list: SQLite's planner loops over a json_each join the
   * wrong way round (every observation against every pair).
   */
  private async applySqlite(
    scanId: string,
    sourceId: string,
    sightings: [string, string, string][],
    identities: Map<string, string>,
    tx: StoreTransaction,
  ) {
    const byTime = new Map<string, [string, string][]>();
    for (const [identityId, location, seen] of sightings) {
      const list = byTime.get(seen) ?? [];
      list.push([identityId, location]);
      byTime.set(seen, list);
    }
    for (const [seen, pairs] of byTime) {
      for (const chunk of chunks(pairs, PAIR_CHUNK)) {
        await tx('observations')
          .where('source_id', sourceId)
          .whereNull('gone_at')
          .where('last_seen', '<=', seen)
          .whereIn(['identity_id', 'location'], chunk)
          .update({ last_seen: seen, last_scan_id: scanId });
      }
    }
    const idsByTime = new Map<string, string[]>();
    for (const [id, seen] of identities) {
      const list = idsByTime.get(seen) ?? [];
      list.push(id);
      idsByTime.set(seen, list);
    }
    for (const [seen, ids] of idsByTime) {
      for (const chunk of chunks(ids)) {
        await tx('identities').whereIn('id', chunk).where('last_seen', '<', seen).update({ last_seen: seen });
      }
    }
  }
}
