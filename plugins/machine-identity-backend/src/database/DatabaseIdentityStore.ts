import type {
  Identity,
  IdentityState,
  InventorySummary,
  Observation,
  Page,
  ReviewStatus,
} from '@keyring/plugin-machine-identity-common';
import { decodeCursor, encodeCursor } from './cursor';
import { IdentityCountDeltas } from './IdentityCounts';
import { type InventoryDatabase, type StoreTransaction, chunks } from './InventoryDatabase';
import { applyIdentityFilter, countFromCounters, querySummary } from './identityQueries';
import { type IdentityDetail, readIdentityDetail } from './identityDetail';
import { listSearchByUrgency } from './identitySearchPage';
import { SearchTrigramStatistics } from './SearchTrigramStatistics';
import { searchNeedleOf } from './searchText';
import { readLastSeenScopes } from './lastSeenScopes';
import { type IdentitySort, countIdentities, decodeUrgencyCursor, listByUrgency, openRulesColumn, rowWithOpenRules } from './identityOrder';
import { updateCampaignReviewStatus, updateReviewStatus } from './reviewStatusUpdates';
import {
  type IdentityRow,
  type ObservationRow,
  columnOf,
  observationToRow,
  recordToRow,
  rowToIdentity,
  rowToObservation,
  rowToObservationRecord,
  rowToRecord,
} from './rowMapping';
import type {
  EvaluationInput,
  IdentityFilter,
  IdentityRecord,
  IdentityStore,
  IdentityWrite,
  ObservationRecord,
  PageRequest,
} from './types';

/** Observation columns without the details JSON (enough for keys and counts). */
const LIGHT_OBSERVATION_COLUMNS = ['identity_id', 'source_id', 'location', 'first_seen', 'last_seen', 'last_scan_id', 'gone_at'];
/** Observation (identity, location) pairs per statement when marking them gone. */
const PAIR_CHUNK = 300;

/**
 * Identities and observations in the `identities`, `observations` and
 * `identity_counts` tables. Writes are batched: a batch of 1,000 records costs
 * a handful of statements, and the summary counters move with every write.
 *
 * @internal
 */
export class DatabaseIdentityStore implements IdentityStore {
  /** Which part of a `q` needle the trigram index is asked for. */
  private readonly searchTrigrams: SearchTrigramStatistics;

  private constructor(private readonly database: InventoryDatabase) {
    this.searchTrigrams = new SearchTrigramStatistics(database.knex);
  }

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseIdentityStore {
    return new DatabaseIdentityStore(options.database);
  }

  private get db() {
    return this.database.knex;
  }

  async getRecords(ids: string[], tx: StoreTransaction): Promise<Map<string, IdentityRecord>> {
    const out = new Map<string, IdentityRecord>();
    for (const chunk of chunks(ids)) {
      for (const row of (await tx('identities').whereIn('id', chunk)) as IdentityRow[]) {
        out.set(row.id, rowToRecord(row));
      }
    }
    return out;
  }

  async listRecords(options: { afterId: string; limit: number }, tx: StoreTransaction): Promise<IdentityRecord[]> {
    const rows = (await tx('identities')
      .where('id', '>', options.afterId)
      .orderBy('id')
      .limit(options.limit)) as IdentityRow[];
    return rows.map(rowToRecord);
  }

  async listLiveObservations(
    ids: string[],
    tx: StoreTransaction,
    options?: { withDetails?: boolean },
  ): Promise<ObservationRecord[]> {
    // Looked up by identity id, the unique index's prefix: row-value IN lists are not index scans on PostgreSQL.
    const columns = options?.withDetails === false ? LIGHT_OBSERVATION_COLUMNS : '*';
    const out: ObservationRecord[] = [];
    for (const chunk of chunks(ids)) {
      const rows = (await tx('observations').select(columns).whereIn('identity_id', chunk).whereNull('gone_at')) as ObservationRow[];
      out.push(...rows.map(rowToObservationRecord));
    }
    return out;
  }

  async writeRecords(writes: IdentityWrite[], tx: StoreTransaction, columns?: (keyof IdentityRecord)[]): Promise<void> {
    if (writes.length === 0) {
      return;
    }
    const rows = writes.map(w => recordToRow(w.after));
    const mergeColumns = columns?.map(columnOf);
    if (mergeColumns?.some(c => c === 'display_name' || c === 'subject')) mergeColumns.push('search_text');
    const { isPostgres, insertChunk } = this.database;
    if (isPostgres) {
      // One JSON parameter per statement instead of 25 bound parameters per row: far less to parse.
      const all = Object.keys(rows[0]) as (keyof IdentityRow)[];
      const update = (mergeColumns ?? all.filter(c => c !== 'id')).map(c => `"${c}" = excluded."${c}"`).join(', ');
      const list = all.map(c => `"${c}"`).join(', ');
      for (const chunk of chunks(rows, insertChunk)) {
        await tx.raw(
          `INSERT INTO identities (${list}) SELECT ${list} FROM json_populate_recordset(NULL::identities, ?::json) ON CONFLICT (id) DO UPDATE SET ${update}`,
          [JSON.stringify(chunk)],
        );
      }
    } else {
      for (const chunk of chunks(rows, insertChunk)) {
        const q = tx('identities').insert(chunk).onConflict('id');
        await (mergeColumns ? q.merge(mergeColumns) : q.merge());
      }
    }
    const counts = new IdentityCountDeltas();
    for (const w of writes) {
      counts.change(w.before, w.after);
    }
    await counts.apply(tx);
  }

  async touch(ids: string[], lastSeen: string, tx: StoreTransaction): Promise<void> {
    if (this.database.isPostgres) {
      // One array parameter: a 1,000-value IN list costs PostgreSQL more to parse and plan than the update itself.
      for (const chunk of chunks(ids, 5_000)) {
        await tx.raw('UPDATE identities SET last_seen = ? WHERE id = ANY(?::text[])', [lastSeen, chunk]);
      }
      return;
    }
    for (const chunk of chunks(ids)) {
      await tx('identities').whereIn('id', chunk).update({ last_seen: lastSeen });
    }
  }

  async upsertObservations(observations: ObservationRecord[], tx: StoreTransaction): Promise<void> {
    for (const chunk of chunks(observations.map(observationToRow), this.database.insertChunk)) {
      await tx('observations')
        .insert(chunk)
        .onConflict(['identity_id', 'source_id', 'location'])
        .merge({
          last_seen: tx.raw('excluded.last_seen'),
          last_scan_id: tx.raw('excluded.last_scan_id'),
          details: tx.raw('excluded.details'),
          content_hash: tx.raw('excluded.content_hash'),
          gone_at: null,
        });
    }
  }

  async listLiveDetails(ids: string[], sourceId: string, tx: StoreTransaction): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const chunk of chunks(ids, 5_000)) {
      // The source and liveness are checked here, not in SQL: in the statement, on a table not yet
      // analyzed, they made PostgreSQL read the whole source through a source index instead of
      // probing the (identity, source, location) key by identity.
      const q = tx('observations').select('identity_id', 'source_id', 'location', 'details', 'gone_at');
      // PostgreSQL: one array parameter instead of a bound parameter per id.
      if (this.database.isPostgres) q.whereRaw('identity_id = ANY(?::text[])', [chunk]);
      else q.whereIn('identity_id', chunk);
      for (const row of (await q) as Pick<ObservationRow, 'identity_id' | 'source_id' | 'location' | 'details' | 'gone_at'>[]) {
        if (row.gone_at || row.source_id !== sourceId) continue;
        out.set(JSON.stringify([row.identity_id, row.location]), row.details ?? null);
      }
    }
    return out;
  }

  async refreshObservations(observations: ObservationRecord[], tx: StoreTransaction): Promise<void> {
    if (this.database.isPostgres) {
      // An upsert arbitrated by the unique index that sets only the two columns: HOT updates, one JSON parameter.
      for (const chunk of chunks(observations.map(observationToRow), 5_000)) {
        const list = Object.keys(chunk[0]).map(c => `"${c}"`).join(', ');
        await tx.raw(
          `INSERT INTO observations (${list}) SELECT ${list} FROM json_populate_recordset(NULL::observations, ?::json)
           ON CONFLICT (identity_id, source_id, location) DO UPDATE SET last_seen = excluded.last_seen, last_scan_id = excluded.last_scan_id, content_hash = excluded.content_hash`,
          [JSON.stringify(chunk)],
        );
      }
      return;
    }
    const groups = new Map<string, ObservationRecord[]>();
    for (const o of observations) {
      const group = JSON.stringify([o.sourceId, o.lastSeen, o.lastScanId, o.contentHash ?? null]);
      const list = groups.get(group);
      if (list) list.push(o);
      else groups.set(group, [o]);
    }
    for (const list of groups.values()) {
      const { sourceId, lastSeen, lastScanId, contentHash } = list[0];
      for (const chunk of chunks(list, PAIR_CHUNK)) {
        await tx('observations')
          .where('source_id', sourceId)
          .whereNull('gone_at')
          .whereIn(['identity_id', 'location'], chunk.map(o => [o.identityId, o.location]))
          .update({ last_seen: lastSeen, last_scan_id: lastScanId, content_hash: contentHash ?? null });
      }
    }
  }

  async listUnrefreshedObservations(sourceId: string, scanId: string, tx: StoreTransaction): Promise<ObservationRecord[]> {
    const rows = (await tx('observations')
      .where({ source_id: sourceId })
      .whereNot('last_scan_id', scanId)
      .whereNull('gone_at')) as ObservationRow[];
    return rows.map(rowToObservationRecord);
  }

  async markObservationsGone(observations: ObservationRecord[], now: string, tx: StoreTransaction): Promise<void> {
    const bySource = new Map<string, ObservationRecord[]>();
    for (const o of observations) {
      bySource.set(o.sourceId, [...(bySource.get(o.sourceId) ?? []), o]);
    }
    for (const [sourceId, list] of bySource) {
      for (const chunk of chunks(list, PAIR_CHUNK)) {
        await tx('observations')
          .where('source_id', sourceId)
          .whereNull('gone_at')
          .where(w => {
            for (const o of chunk) {
              w.orWhere(p => p.where('identity_id', o.identityId).where('location', o.location));
            }
          })
          .update({ gone_at: now });
      }
    }
    const ids = [...new Set(observations.map(o => o.identityId))];
    for (const chunk of chunks(ids)) {
      await tx('identities')
        .whereIn('id', chunk)
        .update({
          observation_count: tx.raw(
            '(SELECT count(*) FROM observations o WHERE o.identity_id = identities.id AND o.gone_at IS NULL)',
          ),
        });
    }
  }

  async listUnobserved(ids: string[], tx: StoreTransaction): Promise<IdentityRecord[]> {
    const out: IdentityRecord[] = [];
    for (const chunk of chunks(ids)) {
      const rows = (await tx('identities')
        .whereIn('id', chunk)
        .where('state', 'active')
        .whereNotExists(
          tx('observations as o').select(tx.raw('1')).whereRaw('o.identity_id = identities.id').whereNull('o.gone_at'),
        )) as IdentityRow[];
      out.push(...rows.map(rowToRecord));
    }
    return out;
  }

  listLastSeenScopes(sourceId: string, under: string): AsyncIterable<string> {
    return readLastSeenScopes(this.database, sourceId, under);
  }

  async countActiveInSource(sourceId: string, tx?: StoreTransaction): Promise<number> {
    const row = await (tx ?? this.db)('identities as i')
      .where('i.state', 'active')
      .whereExists(
        (tx ?? this.db)('observations as o')
          .select((tx ?? this.db).raw('1'))
          .whereRaw('o.identity_id = i.id')
          .where('o.source_id', sourceId)
          .whereNull('o.gone_at'),
      )
      .count({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  async setReviewDecision(
    options: { identityId: string; owner?: string; component?: string },
    tx?: StoreTransaction,
  ): Promise<void> {
    await (tx ?? this.db)('identities').where({ id: options.identityId }).update({
      review_owner: options.owner ?? null,
      review_component: options.component ?? null,
    });
  }

  async setReviewStatus(ids: string[], status: ReviewStatus, tx: StoreTransaction): Promise<void> {
    await updateReviewStatus(tx, ids, status);
  }

  async setCampaignReviewStatus(
    campaignId: string,
    status: ReviewStatus,
    options: { undecidedOnly?: boolean },
    tx: StoreTransaction,
  ): Promise<void> {
    await updateCampaignReviewStatus(tx, campaignId, status, options);
  }

  async list(
    filter: IdentityFilter,
    options: PageRequest & { now: string; sort?: IdentitySort },
  ): Promise<Page<Identity>> {
    const { searchFragment: _ignored, ...given } = filter;
    const fragment = given.q ? this.searchTrigrams.fragmentFor(searchNeedleOf(given.q)) : undefined;
    return this.listFiltered(fragment ? { ...given, searchFragment: fragment } : given, options);
  }

  private async listFiltered(
    filter: IdentityFilter,
    options: PageRequest & { now: string; sort?: IdentitySort },
  ): Promise<Page<Identity>> {
    if (options.sort === 'urgency' && filter.q) {
      const page = await listSearchByUrgency(this.db, filter, options);
      return { items: page.items.map(rowWithOpenRules), nextCursor: page.nextCursor, total: page.total };
    }
    // The total does not depend on the page: it is counted while the page is read.
    if (options.sort === 'urgency') {
      const now = options.cursor ? decodeUrgencyCursor(options.cursor).now : options.now;
      const [page, total] = await Promise.all([
        listByUrgency(this.db, filter, options).then(p => ({ ...p, items: p.items.map(rowWithOpenRules) })),
        this.total(filter, now),
      ]);
      return { items: page.items, nextCursor: page.nextCursor, total };
    }
    const q = this.db<IdentityRow>('identities');
    applyIdentityFilter(q, filter, options.now);
    if (options.cursor) {
      q.where('id', '>', String(decodeCursor(options.cursor)));
    }
    q.orderBy('id').limit(options.limit + 1);
    if (options.sort !== 'id') {
      const rows = (await q) as IdentityRow[];
      const items = rows.slice(0, options.limit).map(rowToIdentity);
      return { items, nextCursor: rows.length > options.limit ? encodeCursor(items[items.length - 1].id) : undefined };
    }
    const [rows, total] = await Promise.all([
      q.select('identities.*', openRulesColumn(this.db)) as Promise<IdentityRow[]>,
      this.total(filter, options.now),
    ]);
    const items = rows.slice(0, options.limit).map(rowWithOpenRules);
    return { items, nextCursor: rows.length > options.limit ? encodeCursor(items[items.length - 1].id) : undefined, total };
  }

  /** The exact `total` of a page: from the summary counters when they answer the filter, else counted. */
  private async total(filter: IdentityFilter, now: string): Promise<number> {
    return (await countFromCounters(this.db, filter)) ?? countIdentities(this.db, filter, now);
  }

  async get(id: string): Promise<Identity | undefined> {
    const row = await this.db('identities').where({ id }).first();
    return row ? rowToIdentity(row) : undefined;
  }

  async getDetail(id: string): Promise<IdentityDetail | undefined> {
    return readIdentityDetail(this.db, id);
  }

  async listIds(options: { afterId?: string; limit: number; states?: IdentityState[] }): Promise<string[]> {
    const q = this.db('identities').select('id');
    if (options.afterId) q.where('id', '>', options.afterId);
    if (options.states) q.whereIn('state', options.states);
    const rows = await q.orderBy('id').limit(options.limit);
    return rows.map((r: { id: string }) => r.id);
  }

  async getEvaluationInputs(ids: string[], tx?: StoreTransaction): Promise<EvaluationInput[]> {
    const db = tx ?? this.db;
    const out: EvaluationInput[] = [];
    for (const chunk of chunks(ids)) {
      const rows = (await db('identities').whereIn('id', chunk)) as IdentityRow[];
      const obs = (await db('observations').whereIn('identity_id', chunk).whereNull('gone_at')) as ObservationRow[];
      const byId = new Map<string, Observation[]>();
      for (const o of obs) {
        const list = byId.get(o.identity_id) ?? [];
        list.push(rowToObservation(o));
        byId.set(o.identity_id, list);
      }
      for (const row of rows) {
        out.push({ identity: rowToIdentity(row), observations: byId.get(row.id) ?? [] });
      }
    }
    return out;
  }

  async getSummary(now: string): Promise<InventorySummary> {
    return querySummary(this.db, this.database.isPostgres, now);
  }
}
