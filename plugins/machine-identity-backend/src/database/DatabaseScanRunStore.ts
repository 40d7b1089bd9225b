import { ConflictError } from '@backstage/errors';
import type { ScanRun } from '@keyring/plugin-machine-identity-common';
import type { InventoryDatabase, StoreTransaction } from './InventoryDatabase';
import { type ScanRunRow, parseJson, rowToScanRun } from './rowMapping';
import type { ScanRunStore, ScanRunUpdate, SourceClaim, SourceClaimResult } from './types';

/** Scan errors kept per run (the count is kept in full). */
const MAX_STORED_ERRORS = 100;
const MAX_ERROR_LENGTH = 500;

/**
 * Scan runs in the `scan_runs` table: queued (manual, unclaimed), running,
 * finished.
 *
 * @internal
 */
export class DatabaseScanRunStore implements ScanRunStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseScanRunStore {
    return new DatabaseScanRunStore(options.database);
  }

  private get db() {
    return this.database.knex;
  }

  async create(run: {
    id: string;
    sourceId: string;
    trigger: 'schedule' | 'manual';
    startedAt: string;
    claimed: boolean;
    leaseToken?: string;
  }): Promise<void> {
    await this.db('scan_runs').insert({
      id: run.id,
      source_id: run.sourceId,
      status: 'running',
      trigger: run.trigger,
      claimed_at: run.claimed ? run.startedAt : null,
      started_at: run.startedAt,
      errors: '[]',
      ...(run.claimed && run.leaseToken ? { lease_token: run.leaseToken, heartbeat_at: run.startedAt } : {}),
    });
  }

  async claimSource(claim: SourceClaim): Promise<SourceClaimResult> {
    if (claim.tx) {
      return this.claimIn(claim, claim.tx);
    }
    return this.database.transaction(tx => this.claimIn(claim, tx));
  }

  private async claimIn(claim: SourceClaim, tx: StoreTransaction): Promise<SourceClaimResult> {
    if (this.database.isPostgres) {
      // Claims of one source queue here, across replicas (SQLite has one writer).
      await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`keyring-scan-claim:${claim.sourceId}`]);
    }
    const live = await tx('scan_runs')
      .where({ source_id: claim.sourceId, status: 'running' })
      .whereNotNull('claimed_at')
      .whereNotNull('lease_token')
      .where('heartbeat_at', '>=', claim.heartbeatSince)
      .where('started_at', '>', claim.startedAfter)
      .orderBy('started_at', 'desc')
      .first();
    if (live) {
      return { live: rowToScanRun(live), leaseToken: live.lease_token as string };
    }
    const abandoned = await tx('scan_runs')
      .where({ source_id: claim.sourceId, status: 'running' })
      .whereNotNull('claimed_at')
      .update({
        status: 'failed',
        finished_at: claim.now,
        error_count: 1,
        errors: JSON.stringify([{ message: claim.abandonedReason }]),
      });
    const lease = { claimed_at: claim.now, started_at: claim.now, lease_token: claim.leaseToken, heartbeat_at: claim.now };
    const queued = claim.takeQueued
      ? await tx('scan_runs')
          .where({ source_id: claim.sourceId, status: 'running' })
          .whereNull('claimed_at')
          .orderBy('started_at')
          .first()
      : undefined;
    if (queued) {
      await tx('scan_runs').where({ id: queued.id }).update(lease);
      return { scanId: queued.id as string, abandoned };
    }
    await tx('scan_runs').insert({
      id: claim.newId,
      source_id: claim.sourceId,
      status: 'running',
      trigger: claim.trigger,
      errors: '[]',
      ...lease,
    });
    return { scanId: claim.newId, abandoned };
  }

  async failStale(heartbeatBefore: string, now: string, reason: string): Promise<number> {
    return this.db('scan_runs')
      .where({ status: 'running' })
      .whereNotNull('heartbeat_at')
      .where('heartbeat_at', '<', heartbeatBefore)
      .update({
        status: 'failed',
        finished_at: now,
        error_count: 1,
        errors: JSON.stringify([{ message: reason }]),
      });
  }

  async heartbeat(id: string, leaseToken: string, now: string): Promise<boolean> {
    const n = await this.db('scan_runs')
      .where({ id, lease_token: leaseToken, status: 'running' })
      .update({ heartbeat_at: now });
    return n === 1;
  }

  async heartbeatShard(id: string, index: number, shardToken: string, now: string): Promise<boolean> {
    const n = await this.db('scan_shards')
      .where({ run_id: id, shard_index: index, lease_token: shardToken, status: 'running' })
      .update({ heartbeat_at: now });
    return n === 1;
  }

  async lockRunning(id: string, tx: StoreTransaction): Promise<{ sourceId: string; leaseToken: string } | undefined> {
    const q = tx('scan_runs').select('source_id', 'lease_token').where({ id, status: 'running' }).whereNotNull('lease_token');
    const row = await (this.database.isPostgres ? q.forUpdate() : q).first();
    return row ? { sourceId: row.source_id as string, leaseToken: row.lease_token as string } : undefined;
  }

  async assertLease(id: string, leaseToken: string, tx: StoreTransaction): Promise<void> {
    const q = tx('scan_runs').select('status', 'lease_token').where({ id });
    const row = await (this.database.isPostgres ? q.forUpdate() : q).first();
    if (!row || row.status !== 'running' || row.lease_token !== leaseToken) {
      throw new ConflictError(
        `Scan run ${id} no longer holds its lease (${row ? `status ${row.status}` : 'no such run'}): its writes are refused`,
      );
    }
  }

  /**
   * Identities of the source the run sighted, each once however many shards
   * or locations saw it: those whose observation the run wrote (its
   * `last_scan_id`) and those its `scan_sightings` log holds (seen unchanged,
   * not yet applied). Read set-based through the observations' source index
   * and the log's run index.
   */
  async countSighted(scanId: string, sourceId: string, tx: StoreTransaction): Promise<number> {
    const logged = this.database.isPostgres
      ? `SELECT p.value->>0 FROM scan_sightings s CROSS JOIN LATERAL json_array_elements(s.pairs::json) AS p(value) WHERE s.scan_id = ?`
      : `SELECT json_extract(p.value, '$[0]') FROM scan_sightings s, json_each(s.pairs) p WHERE s.scan_id = ?`;
    const result = await tx.raw(
      `SELECT count(*) AS n FROM (
         SELECT o.identity_id FROM observations o WHERE o.source_id = ? AND o.last_scan_id = ?
         UNION
         ${logged}
       ) sighted`,
      [sourceId, scanId, scanId],
    );
    const rows = (this.database.isPostgres ? result.rows : result) as { n: number | string }[];
    return Number(rows[0]?.n ?? 0);
  }

  async deleteQueued(id: string): Promise<void> {
    await this.db('scan_runs').where({ id }).whereNull('claimed_at').delete();
  }

  async update(id: string, update: ScanRunUpdate, tx?: StoreTransaction, leaseToken?: string): Promise<void> {
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
    if (update.heldRetirement) {
      patch.held_retirement = update.heldRetirement.length ? JSON.stringify(update.heldRetirement) : null;
    }
    const q = (tx ?? this.db)('scan_runs').where({ id });
    if (leaseToken) {
      q.where({ lease_token: leaseToken, status: 'running' });
    }
    await q.update(patch);
  }

  async get(id: string): Promise<ScanRun | undefined> {
    const row = await this.db('scan_runs').where({ id }).first();
    return row ? rowToScanRun(row) : undefined;
  }

  async getRunning(sourceId: string, startedAfter: string): Promise<ScanRun | undefined> {
    const row = await this.db('scan_runs')
      .where({ source_id: sourceId, status: 'running' })
      .where('started_at', '>', startedAfter)
      .orderBy('started_at', 'desc')
      .first();
    return row ? rowToScanRun(row) : undefined;
  }

  async getPreviousHeldRetirement(sourceId: string, scanId: string, tx: StoreTransaction): Promise<Set<string>> {
    const row = await tx('scan_runs')
      .select('held_retirement')
      .where({ source_id: sourceId })
      .whereNot('id', scanId)
      .whereNotNull('finished_at')
      .orderBy('started_at', 'desc')
      .first();
    return new Set(parseJson<string[]>(row?.held_retirement) ?? []);
  }

  async getLatest(sourceIds: string[]): Promise<Map<string, ScanRun>> {
    const result = new Map<string, ScanRun>();
    for (const sourceId of sourceIds) {
      const row = await this.db('scan_runs').where({ source_id: sourceId }).orderBy('started_at', 'desc').first();
      if (row) {
        result.set(sourceId, rowToScanRun(row));
      }
    }
    return result;
  }
}
