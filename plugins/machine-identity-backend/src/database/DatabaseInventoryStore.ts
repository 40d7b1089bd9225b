import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  ChangeFeedPage,
  HistoryEvent,
  Identity,
  IdentityAttributes,
  IdentityState,
  InventorySummary,
  Observation,
  Page,
  ScanRun,
  Severity,
  Violation,
} from '@keyring/plugin-machine-identity-common';
import type { DigestViolation, OwnerViolations } from '../notifications/types';
import type {
  IdentityLinks,
  MachineIdentityDiscovery,
  OwnerHint,
} from '@keyring/plugin-machine-identity-node';
import type { SshLogin } from '../ownership/ComponentIndex';
import { decodeCursor, encodeCursor } from './cursor';
import { IdentityCountDeltas } from './IdentityCounts';
import { identityId } from './identityId';
import {
  type IdentityRow,
  type ObservationRow,
  type ScanRunRow,
  type ViolationRow,
  parseJson,
  rowToHistoryEvent,
  rowToIdentity,
  rowToIdentityChange,
  rowToObservation,
  rowToScanRun,
  rowToViolation,
  rowToViolationListItem,
} from './rowMapping';
import type {
  BatchResult,
  EvaluatedViolation,
  EvaluationInput,
  IdentityFilter,
  InventoryStore,
  OwnershipDecision,
  OwnershipResolveFn,
  ScanRunUpdate,
  ViolationFilter,
  ViolationListItem,
  Waiver,
} from './types';

const migrationsDir = resolvePackagePath(
  '@keyring/plugin-machine-identity-backend',
  'migrations',
);

/**
 * Rows per statement: 1,000 rows of at most 26 columns stay below SQLite's
 * (32,766) and PostgreSQL's (65,535) bound-parameter limits.
 */
const CHUNK = 1000;
/** knex writes a multi-row SQLite insert as a compound SELECT, capped at 500 terms. */
const SQLITE_INSERT_CHUNK = 500;
/** Advisory lock key that serialises change_seq allocation on PostgreSQL. */
const CHANGE_SEQ_LOCK = 7_340_731;
/** Scan errors kept per run (the count is kept in full). */
const MAX_STORED_ERRORS = 100;
const MAX_ERROR_LENGTH = 500;
const LIVE_STATES: IdentityState[] = ['active', 'pending-revocation'];
const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];
const DAY_MS = 86_400_000;

type AuditInsert = {
  identity_id: string | null;
  at: string;
  action: string;
  actor: string | null;
  message: string;
};

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Fields whose change is visible in the catalog entity; only they bump change_seq. */
function catalogKey(row: IdentityRow): string {
  return JSON.stringify([
    row.display_name,
    row.owner,
    row.component,
    row.ownership_rule,
    row.state,
    row.management,
    row.not_after,
    row.review_status,
    Number(row.violation_count) > 0,
  ]);
}

/** Whether a re-seen identity differs from its stored row in nothing but last_seen. */
function onlyLastSeenMoved(old: IdentityRow, row: IdentityRow): boolean {
  for (const key of Object.keys(row) as (keyof IdentityRow)[]) {
    if (key === 'last_seen') continue;
    const a = old[key];
    const b = row[key];
    if (a === b) continue;
    if (key === 'change_seq' || key === 'observation_count' || key === 'violation_count') {
      if (Number(a) === Number(b)) continue;
    }
    return false;
  }
  return true;
}

function normalizeIso(value: string | undefined): string | null {
  if (!value) {
    return null;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function mergeLinks(
  a: IdentityLinks | undefined,
  b: IdentityLinks | undefined,
): IdentityLinks | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: IdentityLinks = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<
    keyof IdentityLinks
  >;
  for (const key of keys) {
    out[key] = [...new Set([...(a[key] ?? []), ...(b[key] ?? [])])].sort();
  }
  return out;
}

/** `[host, account]` pairs of one discovery: every host with every account it names. */
function loginsOf(links: IdentityLinks | undefined): string[][] {
  const out: string[][] = [];
  for (const host of links?.sshHosts ?? []) {
    for (const account of links?.sshAccounts ?? []) {
      out.push([host, account]);
    }
  }
  return out;
}

/** Merges `[host, account]` pairs, deduplicated and sorted (stable JSON for change detection). */
function mergeLogins(a: string[][] | undefined, b: string[][] | undefined): string[][] | undefined {
  if (!a?.length && !b?.length) return undefined;
  const byKey = new Map<string, string[]>();
  for (const pair of [...(a ?? []), ...(b ?? [])]) byKey.set(JSON.stringify(pair), pair);
  return [...byKey.keys()].sort().map(k => byKey.get(k)!);
}

function toSshLogins(pairs: string[][] | undefined): SshLogin[] | undefined {
  return pairs?.map(([host, account]) => ({ host, account }));
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, m => `\\${m}`);
}

function applyOwnership(row: IdentityRow, decision: OwnershipDecision) {
  row.owner = decision.owner ?? null;
  row.component = decision.component ?? null;
  row.ownership_rule = decision.rule;
  row.ownership_via = decision.via;
}

/**
 * The inventory in a relational database through knex (SQLite via
 * better-sqlite3, PostgreSQL). Writes are batched: a batch of 1,000
 * discoveries costs a handful of statements.
 */
export class DatabaseInventoryStore implements InventoryStore {
  private readonly isPostgres: boolean;

  /** Connects, runs migrations unless `database.migrations.skip`, returns the store. */
  static async create(options: {
    database: DatabaseService;
    logger?: LoggerService;
  }): Promise<DatabaseInventoryStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseInventoryStore(client);
  }

  /** For tests and benchmarks that hold a knex instance already. */
  static async fromKnex(client: Knex, options?: { skipMigrations?: boolean }) {
    if (!options?.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseInventoryStore(client);
  }

  /** Rows per multi-row insert. */
  private readonly insertChunk: number;

  private constructor(private readonly db: Knex) {
    const name = String(db.client.config.client ?? '');
    this.isPostgres = ['pg', 'postgres', 'postgresql'].includes(name);
    this.insertChunk = this.isPostgres ? CHUNK : SQLITE_INSERT_CHUNK;
  }

  /**
   * Serialises identity writers for the rest of the transaction (PostgreSQL;
   * SQLite has one writer), so rows read afterwards are current: change_seq
   * allocation and the summary counters depend on it. Re-entrant.
   */
  private async lockWrites(tx: Knex.Transaction): Promise<void> {
    if (this.isPostgres) {
      await tx.raw('SELECT pg_advisory_xact_lock(?)', [CHANGE_SEQ_LOCK]);
    }
  }

  /** Locks identity writes for the transaction and returns a change_seq allocator. */
  private async seqAllocator(tx: Knex.Transaction): Promise<() => number> {
    await this.lockWrites(tx);
    const row = await tx('identities').max({ m: 'change_seq' }).first();
    let seq = Number(row?.m ?? 0);
    return () => ++seq;
  }

  private async writeIdentityRows(
    tx: Knex.Transaction,
    rows: IdentityRow[],
    mergeColumns?: (keyof IdentityRow)[],
  ) {
    if (this.isPostgres && rows.length > 0) {
      // One JSON parameter per statement instead of 25 bound parameters per row: far less to parse.
      const columns = Object.keys(rows[0]) as (keyof IdentityRow)[];
      const update = (mergeColumns ?? columns.filter(c => c !== 'id'))
        .map(c => `"${c}" = excluded."${c}"`)
        .join(', ');
      const list = columns.map(c => `"${c}"`).join(', ');
      for (const chunk of chunks(rows, this.insertChunk)) {
        await tx.raw(
          `INSERT INTO identities (${list}) SELECT ${list} FROM json_populate_recordset(NULL::identities, ?::json) ON CONFLICT (id) DO UPDATE SET ${update}`,
          [JSON.stringify(chunk)],
        );
      }
      return;
    }
    for (const chunk of chunks(rows, this.insertChunk)) {
      const q = tx('identities').insert(chunk).onConflict('id');
      await (mergeColumns ? q.merge(mergeColumns) : q.merge());
    }
  }

  private async refreshObservationCounts(tx: Knex.Transaction, ids: string[]) {
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

  private async insertAudit(tx: Knex | Knex.Transaction, events: AuditInsert[]) {
    for (const chunk of chunks(events, this.insertChunk)) {
      await tx('audit_events').insert(chunk);
    }
  }

  async getOrCreateSetting(key: string, create: () => string): Promise<string> {
    const existing = await this.db('settings').where({ key }).first();
    if (existing) {
      return existing.value;
    }
    await this.db('settings')
      .insert({ key, value: create() })
      .onConflict('key')
      .ignore();
    const row = await this.db('settings').where({ key }).first();
    return row.value;
  }

  async upsertDiscoveries(options: {
    scanId: string;
    sourceId: string;
    discoveries: MachineIdentityDiscovery[];
    now: string;
    resolveOwnership: OwnershipResolveFn;
  }): Promise<BatchResult> {
    const { scanId, sourceId, discoveries, now, resolveOwnership } = options;
    type Merged = {
      id: string;
      last: MachineIdentityDiscovery;
      links?: IdentityLinks;
      logins?: string[][];
      hint?: OwnerHint;
      firstSeen: string;
      automated: boolean;
    };
    const merged = new Map<string, Merged>();
    const observations = new Map<string, ObservationRow>();
    for (const d of discoveries) {
      const id = identityId(d.type, d.fingerprintSha256);
      const evidence = normalizeIso(d.firstSeenEvidence);
      const firstSeen = evidence && evidence < now ? evidence : now;
      const m = merged.get(id);
      if (m) {
        m.last = d;
        m.links = mergeLinks(m.links, d.links);
        m.logins = mergeLogins(m.logins, loginsOf(d.links));
        m.hint = d.ownerHint ?? m.hint;
        m.firstSeen = firstSeen < m.firstSeen ? firstSeen : m.firstSeen;
        m.automated ||= d.management === 'automated';
      } else {
        merged.set(id, {
          id,
          last: d,
          links: d.links,
          logins: mergeLogins(undefined, loginsOf(d.links)),
          hint: d.ownerHint,
          firstSeen,
          automated: d.management === 'automated',
        });
      }
      observations.set(JSON.stringify([id, d.location]), {
        identity_id: id,
        source_id: sourceId,
        location: d.location,
        first_seen: firstSeen,
        last_seen: now,
        last_scan_id: scanId,
        gone_at: null,
        details: d.details ? JSON.stringify(d.details) : null,
      });
    }
    const ids = [...merged.keys()];
    let added = 0;

    await this.db.transaction(async tx => {
      const nextSeq = await this.seqAllocator(tx);
      const existing = new Map<string, IdentityRow>();
      for (const chunk of chunks(ids)) {
        for (const row of (await tx('identities').whereIn(
          'id',
          chunk,
        )) as IdentityRow[]) {
          existing.set(row.id, row);
        }
      }
      // Observation counts move incrementally: a batch sighting adds one unless it is already live.
      // (Looked up by identity id, the unique index's prefix: row-value IN lists are not index scans on PostgreSQL.)
      const live = new Set<string>();
      for (const chunk of chunks(ids.filter(id => existing.has(id)))) {
        const found = await tx('observations')
          .select('identity_id', 'location')
          .whereIn('identity_id', chunk)
          .where('source_id', sourceId)
          .whereNull('gone_at');
        for (const o of found as Array<{ identity_id: string; location: string }>) {
          live.add(JSON.stringify([o.identity_id, o.location]));
        }
      }
      const addedSightings = new Map<string, number>();
      for (const [key, o] of observations) {
        if (!live.has(key)) {
          addedSightings.set(o.identity_id, (addedSightings.get(o.identity_id) ?? 0) + 1);
        }
      }
      const rows: IdentityRow[] = [];
      const touchedOnly: string[] = [];
      const audit: AuditInsert[] = [];
      const counts = new IdentityCountDeltas();
      for (const m of merged.values()) {
        const d = m.last;
        const attributes: IdentityAttributes = d.attributes ?? {};
        const old = existing.get(m.id);
        const links = mergeLinks(parseJson(old?.links), m.links);
        const logins = mergeLogins(parseJson(old?.ssh_logins), m.logins);
        const hint = m.hint ?? parseJson<OwnerHint>(old?.owner_hint);
        const row: IdentityRow = {
          id: m.id,
          type: d.type,
          fingerprint_sha256: d.fingerprintSha256,
          display_name: d.displayName,
          subject: attributes.subject ?? null,
          attributes: JSON.stringify(attributes),
          not_after: normalizeIso(attributes.notAfter),
          owner: null,
          component: null,
          ownership_rule: 'fallback',
          ownership_via: null,
          owner_hint: hint ? JSON.stringify(hint) : null,
          links: links ? JSON.stringify(links) : null,
          ssh_logins: logins ? JSON.stringify(logins) : null,
          review_owner: old?.review_owner ?? null,
          review_component: old?.review_component ?? null,
          state: old?.state ?? 'active',
          state_changed_at: old?.state_changed_at ?? now,
          management: m.automated
            ? 'automated'
            : (d.management ?? old?.management ?? 'manual'),
          first_seen:
            old && old.first_seen < m.firstSeen ? old.first_seen : m.firstSeen,
          last_seen: now,
          change_seq: old?.change_seq ?? 0,
          observation_count: Number(old?.observation_count ?? 0) + (addedSightings.get(m.id) ?? 0),
          violation_count: old?.violation_count ?? 0,
          review_status: old?.review_status ?? 'never',
        };
        applyOwnership(
          row,
          resolveOwnership({
            type: d.type,
            ownerHint: hint,
            links,
            sshLogins: toSshLogins(logins),
            reviewOwner: row.review_owner ?? undefined,
            reviewComponent: row.review_component ?? undefined,
          }),
        );
        if (!old) {
          added += 1;
          audit.push({
            identity_id: m.id,
            at: now,
            action: 'discovered',
            actor: null,
            message: `First seen by source ${sourceId} at ${d.location}`,
          });
        } else if (old.state === 'gone') {
          row.state = 'active';
          row.state_changed_at = now;
          audit.push({
            identity_id: m.id,
            at: now,
            action: 'reappeared',
            actor: null,
            message: `Seen again by source ${sourceId} at ${d.location}; state gone → active`,
          });
        }
        if (old && (old.owner !== row.owner || old.component !== row.component)) {
          audit.push({
            identity_id: m.id,
            at: now,
            action: 'owner-changed',
            actor: null,
            message: `Owner ${old.owner ?? 'none'} → ${row.owner ?? 'none'} (${row.ownership_via})`,
          });
        }
        if (!old || catalogKey(old) !== catalogKey(row)) {
          row.change_seq = nextSeq();
        }
        if (old && onlyLastSeenMoved(old, row)) {
          touchedOnly.push(row.id);
        } else {
          rows.push(row);
          counts.change(old, row);
        }
      }
      await this.writeIdentityRows(tx, rows);
      for (const chunk of chunks(touchedOnly)) {
        await tx('identities').whereIn('id', chunk).update({ last_seen: now });
      }
      for (const chunk of chunks([...observations.values()], this.insertChunk)) {
        await tx('observations')
          .insert(chunk)
          .onConflict(['identity_id', 'source_id', 'location'])
          .merge({
            last_seen: tx.raw('excluded.last_seen'),
            last_scan_id: tx.raw('excluded.last_scan_id'),
            details: tx.raw('excluded.details'),
            gone_at: null,
          });
      }
      await this.insertAudit(tx, audit);
      await counts.apply(tx);
    });
    return { identityIds: ids, added };
  }

  async retireUnseen(options: {
    scanId: string;
    sourceId: string;
    now: string;
  }): Promise<string[]> {
    const { scanId, sourceId, now } = options;
    const retired: string[] = [];
    await this.db.transaction(async tx => {
      const nextSeq = await this.seqAllocator(tx);
      const staleRows = await tx('observations')
        .distinct('identity_id')
        .where({ source_id: sourceId })
        .whereNot('last_scan_id', scanId)
        .whereNull('gone_at');
      const staleIds = staleRows.map((r: { identity_id: string }) => r.identity_id);
      if (staleIds.length === 0) {
        return;
      }
      await tx('observations')
        .where({ source_id: sourceId })
        .whereNot('last_scan_id', scanId)
        .whereNull('gone_at')
        .update({ gone_at: now });
      const audit: AuditInsert[] = [];
      const counts = new IdentityCountDeltas();
      for (const chunk of chunks(staleIds)) {
        const rows = (await tx('identities')
          .whereIn('id', chunk)
          .where('state', 'active')
          .whereNotExists(
            tx('observations as o')
              .select(tx.raw('1'))
              .whereRaw('o.identity_id = identities.id')
              .whereNull('o.gone_at'),
          )) as IdentityRow[];
        for (const row of rows) {
          const before = { ...row };
          row.state = 'gone';
          row.state_changed_at = now;
          row.change_seq = nextSeq();
          retired.push(row.id);
          counts.change(before, row);
          audit.push({
            identity_id: row.id,
            at: now,
            action: 'gone',
            actor: null,
            message: `No longer seen by a complete scan of source ${sourceId}; state active → gone`,
          });
        }
        await this.writeIdentityRows(tx, rows, [
          'state',
          'state_changed_at',
          'change_seq',
        ]);
      }
      await this.refreshObservationCounts(tx, staleIds);
      await this.insertAudit(tx, audit);
      await counts.apply(tx);
    });
    return retired;
  }

  async reresolveOwnership(
    resolve: OwnershipResolveFn,
    now: string,
  ): Promise<string[]> {
    const changed: string[] = [];
    let afterId = '';
    for (;;) {
      const done = await this.db.transaction(async tx => {
        await this.lockWrites(tx);
        const rows = (await tx('identities')
          .where('id', '>', afterId)
          .orderBy('id')
          .limit(1000)) as IdentityRow[];
        if (rows.length === 0) {
          return true;
        }
        afterId = rows[rows.length - 1].id;
        const updates: IdentityRow[] = [];
        const audit: AuditInsert[] = [];
        const counts = new IdentityCountDeltas();
        let nextSeq: (() => number) | undefined;
        for (const row of rows) {
          const decision = resolve({
            type: row.type as Identity['type'],
            ownerHint: parseJson(row.owner_hint),
            links: parseJson(row.links),
            sshLogins: toSshLogins(parseJson(row.ssh_logins)),
            reviewOwner: row.review_owner ?? undefined,
            reviewComponent: row.review_component ?? undefined,
          });
          if (
            row.owner === (decision.owner ?? null) &&
            row.component === (decision.component ?? null) &&
            row.ownership_rule === decision.rule &&
            row.ownership_via === decision.via
          ) {
            continue;
          }
          const before = catalogKey(row);
          const oldRow = { ...row };
          const oldOwner = row.owner;
          applyOwnership(row, decision);
          counts.change(oldRow, row);
          if (catalogKey(row) !== before) {
            nextSeq ??= await this.seqAllocator(tx);
            row.change_seq = nextSeq();
          }
          if (oldOwner !== row.owner) {
            audit.push({
              identity_id: row.id,
              at: now,
              action: 'owner-changed',
              actor: null,
              message: `Owner ${oldOwner ?? 'none'} → ${row.owner ?? 'none'} (${decision.via})`,
            });
          }
          updates.push(row);
        }
        await this.writeIdentityRows(tx, updates, [
          'owner',
          'component',
          'ownership_rule',
          'ownership_via',
          'change_seq',
        ]);
        await this.insertAudit(tx, audit);
        await counts.apply(tx);
        changed.push(...updates.map(u => u.id));
        return rows.length < 1000;
      });
      if (done) {
        return changed;
      }
    }
  }

  async createScanRun(run: {
    id: string;
    sourceId: string;
    trigger: 'schedule' | 'manual';
    startedAt: string;
    claimed: boolean;
  }): Promise<void> {
    await this.db('scan_runs').insert({
      id: run.id,
      source_id: run.sourceId,
      status: 'running',
      trigger: run.trigger,
      claimed_at: run.claimed ? run.startedAt : null,
      started_at: run.startedAt,
      errors: '[]',
    });
  }

  async claimQueuedScanRun(sourceId: string, now: string) {
    const row = await this.db('scan_runs')
      .where({ source_id: sourceId, status: 'running' })
      .whereNull('claimed_at')
      .orderBy('started_at')
      .first();
    if (!row) {
      return undefined;
    }
    const n = await this.db('scan_runs')
      .where({ id: row.id })
      .whereNull('claimed_at')
      .update({ claimed_at: now, started_at: now });
    return n === 1 ? (row.id as string) : undefined;
  }

  async failAbandonedScanRuns(sourceId: string, now: string, reason: string) {
    return this.db('scan_runs')
      .where({ source_id: sourceId, status: 'running' })
      .whereNotNull('claimed_at')
      .update({
        status: 'failed',
        finished_at: now,
        error_count: 1,
        errors: JSON.stringify([{ message: reason }]),
      });
  }

  async deleteQueuedScanRun(id: string) {
    await this.db('scan_runs').where({ id }).whereNull('claimed_at').delete();
  }

  async updateScanRun(id: string, update: ScanRunUpdate): Promise<void> {
    const patch: Partial<ScanRunRow> = {};
    if (update.status) patch.status = update.status;
    if (update.finishedAt) patch.finished_at = update.finishedAt;
    if (update.seen !== undefined) patch.seen = update.seen;
    if (update.added !== undefined) patch.added = update.added;
    if (update.retired !== undefined) patch.retired = update.retired;
    if (update.progress) {
      patch.progress_done = update.progress.done;
      patch.progress_total = update.progress.total ?? null;
    }
    if (update.errors) {
      patch.errors = JSON.stringify(
        update.errors.slice(0, MAX_STORED_ERRORS).map(e => ({
          ...(e.location ? { location: e.location.slice(0, MAX_ERROR_LENGTH) } : {}),
          message: e.message.slice(0, MAX_ERROR_LENGTH),
        })),
      );
      patch.error_count = update.errorCount ?? update.errors.length;
    }
    await this.db('scan_runs').where({ id }).update(patch);
  }

  async getScanRun(id: string): Promise<ScanRun | undefined> {
    const row = await this.db('scan_runs').where({ id }).first();
    return row ? rowToScanRun(row) : undefined;
  }

  async getRunningScanRun(sourceId: string, startedAfter: string) {
    const row = await this.db('scan_runs')
      .where({ source_id: sourceId, status: 'running' })
      .where('started_at', '>', startedAfter)
      .orderBy('started_at', 'desc')
      .first();
    return row ? rowToScanRun(row) : undefined;
  }

  async getLatestScanRuns(sourceIds: string[]) {
    const result = new Map<string, ScanRun>();
    for (const sourceId of sourceIds) {
      const row = await this.db('scan_runs')
        .where({ source_id: sourceId })
        .orderBy('started_at', 'desc')
        .first();
      if (row) {
        result.set(sourceId, rowToScanRun(row));
      }
    }
    return result;
  }

  async listIdentities(
    filter: IdentityFilter,
    options: { cursor?: string; limit: number; now: string },
  ): Promise<Page<Identity>> {
    const q = this.db<IdentityRow>('identities');
    if (filter.type) q.where('type', filter.type);
    if (filter.owner) q.where('owner', filter.owner);
    if (filter.entityRef) {
      const ref = filter.entityRef;
      q.where(w => w.where('owner', ref).orWhere('component', ref));
    }
    if (filter.state) q.where('state', filter.state);
    if (filter.expiresWithinDays !== undefined) {
      const limit = new Date(
        Date.parse(options.now) + filter.expiresWithinDays * DAY_MS,
      ).toISOString();
      q.whereNotNull('not_after').where('not_after', '<=', limit);
    }
    if (filter.violating !== undefined) {
      q.where('violation_count', filter.violating ? '>' : '=', 0);
    }
    if (filter.q) {
      const needle = filter.q.toLowerCase();
      const like = `%${escapeLike(needle)}%`;
      q.where(w =>
        w
          .whereRaw("lower(display_name) LIKE ? ESCAPE '\\'", [like])
          .orWhereRaw("lower(subject) LIKE ? ESCAPE '\\'", [like])
          .orWhere('fingerprint_sha256', 'like', `${escapeLike(needle)}%`),
      );
    }
    if (options.cursor) {
      q.where('id', '>', String(decodeCursor(options.cursor)));
    }
    const rows = (await q.orderBy('id').limit(options.limit + 1)) as IdentityRow[];
    const items = rows.slice(0, options.limit).map(rowToIdentity);
    return {
      items,
      nextCursor:
        rows.length > options.limit
          ? encodeCursor(items[items.length - 1].id)
          : undefined,
    };
  }

  async getIdentity(id: string): Promise<Identity | undefined> {
    const row = await this.db('identities').where({ id }).first();
    return row ? rowToIdentity(row) : undefined;
  }

  async getObservations(identityId: string): Promise<Observation[]> {
    const rows = await this.db('observations')
      .where({ identity_id: identityId })
      .orderBy(['source_id', 'location'])
      .limit(1000);
    return rows.map(rowToObservation);
  }

  async getOpenViolations(identityId: string): Promise<Violation[]> {
    const rows = await this.db('violations')
      .where({ identity_id: identityId })
      .whereNull('resolved_at')
      .orderBy('rule_id');
    return rows.map(rowToViolation);
  }

  async getHistory(identityId: string): Promise<HistoryEvent[]> {
    const rows = await this.db('audit_events')
      .where({ identity_id: identityId })
      .orderBy('id', 'desc')
      .limit(200);
    return rows.map(rowToHistoryEvent);
  }

  async getSummary(now: string): Promise<InventorySummary> {
    const day = (n: number) =>
      new Date(Date.parse(now) + n * DAY_MS).toISOString();
    // Counters kept by every identity write; only the clock-dependent expiry buckets are counted here.
    const [groups, sums] = await Promise.all([
      this.db('identity_counts').select('type', 'state', 'management', 'owned', 'violating', 'n').whereNot('n', 0),
      // SQLite's planner would rather walk (state, id) over every live row: point it at the expiry index.
      this.db
        .from(this.isPostgres ? 'identities' : this.db.raw('identities INDEXED BY identities_not_after_state_idx'))
        .whereIn('state', LIVE_STATES)
        .whereNotNull('not_after')
        .where('not_after', '<=', day(90))
        .select(
          this.db.raw(
            `sum(CASE WHEN not_after < ? THEN 1 ELSE 0 END) AS expired,
             sum(CASE WHEN not_after >= ? AND not_after <= ? THEN 1 ELSE 0 END) AS d7,
             sum(CASE WHEN not_after >= ? AND not_after <= ? THEN 1 ELSE 0 END) AS d30,
             sum(CASE WHEN not_after >= ? THEN 1 ELSE 0 END) AS d90`,
            [now, now, day(7), now, day(30), now],
          ),
        )
        .first(),
    ]);
    const summary: InventorySummary = {
      total: 0,
      byType: {},
      byState: {},
      owned: 0,
      orphaned: 0,
      byManagement: {},
      managedShare: 0,
      violating: 0,
      expiring: { expired: 0, within7Days: 0, within30Days: 0, within90Days: 0 },
    };
    let live = 0;
    for (const g of groups as Array<{ type: string; state: string; management: string; owned: number | string; violating: number | string; n: number | string }>) {
      const n = Number(g.n);
      summary.total += n;
      summary.byState[g.state] = (summary.byState[g.state] ?? 0) + n;
      if (LIVE_STATES.includes(g.state as IdentityState)) {
        live += n;
        summary.byType[g.type] = (summary.byType[g.type] ?? 0) + n;
        summary.byManagement[g.management] = (summary.byManagement[g.management] ?? 0) + n;
        if (Number(g.owned)) summary.owned += n;
        if (Number(g.violating)) summary.violating += n;
      }
    }
    summary.managedShare = live ? (summary.byManagement.automated ?? 0) / live : 0;
    summary.orphaned = live - summary.owned;
    summary.expiring = {
      expired: Number(sums?.expired ?? 0),
      within7Days: Number(sums?.d7 ?? 0),
      within30Days: Number(sums?.d30 ?? 0),
      within90Days: Number(sums?.d90 ?? 0),
    };
    return summary;
  }

  async listChanges(since: number, limit: number): Promise<ChangeFeedPage> {
    const rows = (await this.db('identities')
      .where('change_seq', '>', since)
      .orderBy('change_seq')
      .limit(limit + 1)) as IdentityRow[];
    const items = rows.slice(0, limit).map(rowToIdentityChange);
    return {
      items,
      nextSince: items.length ? items[items.length - 1].changeSeq : since,
      hasMore: rows.length > limit,
    };
  }

  private violationQuery() {
    return this.db('violations as v')
      .join('identities as i', 'i.id', 'v.identity_id')
      .whereNull('v.resolved_at')
      .select(
        'v.*',
        'i.display_name',
        'i.type',
        'i.owner',
        'i.component',
        'i.not_after',
      );
  }

  async listViolations(
    filter: ViolationFilter,
    options: { cursor?: string; limit: number },
  ): Promise<Page<ViolationListItem>> {
    const q = this.violationQuery();
    if (filter.owner) q.where('i.owner', filter.owner);
    if (filter.entityRef) {
      const ref = filter.entityRef;
      q.where(w => w.where('i.owner', ref).orWhere('i.component', ref));
    }
    if (filter.ruleId) q.where('v.rule_id', filter.ruleId);
    if (options.cursor) {
      q.where('v.id', '>', Number(decodeCursor(options.cursor)));
    }
    const rows = await q.orderBy('v.id').limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(rowToViolationListItem),
      nextCursor:
        rows.length > options.limit
          ? encodeCursor(Number(page[page.length - 1].id))
          : undefined,
    };
  }

  async listOpenViolationsByOwner(options: {
    minSeverity: Severity;
    limitPerOwner: number;
  }): Promise<OwnerViolations[]> {
    const severities = SEVERITY_ORDER.slice(
      0,
      SEVERITY_ORDER.indexOf(options.minSeverity) + 1,
    );
    const rows = await this.violationQuery()
      .whereIn('i.state', LIVE_STATES)
      .whereNotNull('i.owner')
      .whereIn('v.severity', severities)
      .orderBy(['i.owner', 'v.id']);
    const byOwner = new Map<string, { ids: Set<string>; items: DigestViolation[] }>();
    for (const row of rows) {
      const entry = byOwner.get(row.owner) ?? { ids: new Set(), items: [] };
      entry.ids.add(row.identity_id);
      entry.items.push({
        identityId: row.identity_id,
        displayName: row.display_name,
        type: row.type,
        ruleId: row.rule_id,
        severity: row.severity,
        message: row.message,
        firstDetected: row.first_detected,
        notAfter: row.not_after ?? undefined,
      });
      byOwner.set(row.owner, entry);
    }
    const urgency = (a: DigestViolation, b: DigestViolation) =>
      (a.notAfter ?? '\uffff').localeCompare(b.notAfter ?? '\uffff') ||
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      a.identityId.localeCompare(b.identityId);
    return [...byOwner].map(([owner, { ids, items }]) => ({
      owner,
      identityCount: ids.size,
      violationCount: items.length,
      violations: items.sort(urgency).slice(0, options.limitPerOwner),
    }));
  }

  async listIdentityIds(options: {
    afterId?: string;
    limit: number;
    states?: IdentityState[];
  }): Promise<string[]> {
    const q = this.db('identities').select('id');
    if (options.afterId) q.where('id', '>', options.afterId);
    if (options.states) q.whereIn('state', options.states);
    const rows = await q.orderBy('id').limit(options.limit);
    return rows.map((r: { id: string }) => r.id);
  }

  async getEvaluationInputs(ids: string[]): Promise<EvaluationInput[]> {
    const out: EvaluationInput[] = [];
    for (const chunk of chunks(ids)) {
      const rows = (await this.db('identities').whereIn('id', chunk)) as IdentityRow[];
      const obs = (await this.db('observations')
        .whereIn('identity_id', chunk)
        .whereNull('gone_at')) as ObservationRow[];
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

  async getActiveWaiverKeys(ids: string[], now: string): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const chunk of chunks(ids)) {
      const rows = await this.db('waivers')
        .whereIn('identity_id', chunk)
        .where(w => w.whereNull('expires_at').orWhere('expires_at', '>', now));
      for (const r of rows) {
        keys.add(`${r.identity_id}/${r.rule_id}`);
      }
    }
    return keys;
  }

  async applyEvaluations(
    results: Map<string, EvaluatedViolation[]>,
    now: string,
  ): Promise<{ opened: number; resolved: number }> {
    let opened = 0;
    let resolved = 0;
    for (const chunk of chunks([...results.keys()])) {
      await this.db.transaction(async tx => {
        const open = (await tx('violations')
          .whereIn('identity_id', chunk)
          .whereNull('resolved_at')) as ViolationRow[];
        const openById = new Map<string, Map<string, ViolationRow>>();
        for (const v of open) {
          const m = openById.get(v.identity_id) ?? new Map();
          m.set(v.rule_id, v);
          openById.set(v.identity_id, m);
        }
        const inserts: Omit<ViolationRow, 'id'>[] = [];
        const toResolve: Array<number | string> = [];
        const audit: AuditInsert[] = [];
        for (const id of chunk) {
          const current = openById.get(id) ?? new Map<string, ViolationRow>();
          const next = new Map(results.get(id)!.map(r => [r.ruleId, r]));
          for (const [ruleId, r] of next) {
            const existing = current.get(ruleId);
            if (!existing) {
              inserts.push({
                identity_id: id,
                rule_id: ruleId,
                severity: r.severity,
                message: r.message,
                remediation: r.remediation,
                first_detected: now,
                resolved_at: null,
              });
              audit.push({ identity_id: id, at: now, action: 'violation-opened', actor: null, message: `${ruleId}: ${r.message}` });
            } else if (
              existing.severity !== r.severity ||
              existing.message !== r.message ||
              existing.remediation !== r.remediation
            ) {
              await tx('violations').where({ id: existing.id }).update({
                severity: r.severity,
                message: r.message,
                remediation: r.remediation,
              });
            }
          }
          for (const [ruleId, v] of current) {
            if (!next.has(ruleId)) {
              toResolve.push(v.id);
              audit.push({ identity_id: id, at: now, action: 'violation-resolved', actor: null, message: `${ruleId} no longer applies` });
            }
          }
        }
        for (const part of chunks(inserts, this.insertChunk)) {
          await tx('violations').insert(part);
        }
        for (const part of chunks(toResolve)) {
          await tx('violations').whereIn('id', part).update({ resolved_at: now });
        }
        opened += inserts.length;
        resolved += toResolve.length;
        if (inserts.length === 0 && toResolve.length === 0) {
          return;
        }
        await this.lockWrites(tx);
        const rows = (await tx('identities').whereIn('id', chunk)) as IdentityRow[];
        const updates: IdentityRow[] = [];
        const counts = new IdentityCountDeltas();
        let nextSeq: (() => number) | undefined;
        for (const row of rows) {
          const count = results.get(row.id)!.length;
          if (Number(row.violation_count) === count) continue;
          const before = catalogKey(row);
          const oldRow = { ...row };
          row.violation_count = count;
          counts.change(oldRow, row);
          if (catalogKey(row) !== before) {
            nextSeq ??= await this.seqAllocator(tx);
            row.change_seq = nextSeq();
          }
          updates.push(row);
        }
        await this.writeIdentityRows(tx, updates, ['violation_count', 'change_seq']);
        await this.insertAudit(tx, audit);
        await counts.apply(tx);
      });
    }
    return { opened, resolved };
  }

  async addWaiver(
    waiver: Omit<Waiver, 'id' | 'createdAt'>,
    now: string,
  ): Promise<Waiver> {
    const [row] = await this.db('waivers')
      .insert({
        identity_id: waiver.identityId,
        rule_id: waiver.ruleId,
        reason: waiver.reason,
        approver: waiver.approver,
        created_at: now,
        expires_at: waiver.expiresAt ?? null,
      })
      .returning('id');
    await this.appendAuditEvent({
      identityId: waiver.identityId,
      at: now,
      action: 'waiver-added',
      actor: waiver.approver,
      message: `Waived ${waiver.ruleId}${waiver.expiresAt ? ` until ${waiver.expiresAt}` : ''}: ${waiver.reason}`,
    });
    return {
      ...waiver,
      id: String(typeof row === 'object' ? row.id : row),
      createdAt: now,
    };
  }

  async setReviewDecision(options: {
    identityId: string;
    owner?: string;
    component?: string;
    actor: string;
    now: string;
  }): Promise<void> {
    await this.db('identities').where({ id: options.identityId }).update({
      review_owner: options.owner ?? null,
      review_component: options.component ?? null,
    });
    await this.appendAuditEvent({
      identityId: options.identityId,
      at: options.now,
      action: 'review-decision',
      actor: options.actor,
      message: `Ownership decided by review: owner ${options.owner ?? 'unchanged'}, component ${options.component ?? 'none'}`,
    });
  }

  async appendAuditEvent(event: {
    identityId?: string;
    at: string;
    action: string;
    actor?: string;
    message: string;
  }): Promise<void> {
    await this.insertAudit(this.db, [
      {
        identity_id: event.identityId ?? null,
        at: event.at,
        action: event.action,
        actor: event.actor ?? null,
        message: event.message,
      },
    ]);
  }
}
