import type { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError, isError } from '@backstage/errors';
import type { ScanError } from '@keyring/plugin-machine-identity-common';
import type { StoreTransaction } from '../database/InventoryDatabase';
import type { InventoryStores } from '../database/types';
import { type RunConclusion, concludeRun } from './concludeRun';
import { RunLease, STALE_AFTER_MS } from './RunLease';
import type { ConfiguredSource } from './readSources';
import { claimSourceRun } from './sourceClaim';

/** How often a replica that handed a shard back tries to trigger its task again (until the scheduler released it). */
const HAND_BACK_RETRY_MS = 100;
const HAND_BACK_TRIES = 100;

/**
 * Hands a shard back to the scheduler: triggers its task again as soon as this
 * replica's tick of it ended. Right after this replica's scheduler polled (it
 * just claimed the task), so another replica's poll, every 5 s, comes first.
 */
export async function handShardBack(
  scheduler: Pick<SchedulerService, 'triggerTask'>,
  source: ConfiguredSource,
  index: number,
  logger: LoggerService,
): Promise<void> {
  for (let attempt = 0; attempt < HAND_BACK_TRIES; attempt++) {
    await new Promise(r => setTimeout(r, HAND_BACK_RETRY_MS));
    try {
      await scheduler.triggerTask(shardTaskId(source.id, index));
      return;
    } catch (error) {
      if (isError(error) && error.name === 'ConflictError') continue;
      logger.warn(`Could not hand shard ${index + 1}/${source.shards} of source ${source.id} back: ${isError(error) ? error.message : String(error)}`);
      return;
    }
  }
  logger.warn(`Could not hand shard ${index + 1}/${source.shards} of source ${source.id} back: its task stayed claimed`);
}

const MAX_STORED_ERRORS = 100;

/** The scheduler task id of shard `index` (0-based) of a sharded source. */
export function shardTaskId(sourceId: string, index: number): string {
  return `machine-identity-scan:${sourceId}#${index}`;
}

/** One claimed shard of a run: the run's id and lease (shared by its shards) and the shard's own token. */
export interface ShardClaim {
  scanId: string;
  /** The run's lease token: every shard writes and heart-beats the run under it. */
  runToken: string;
  /** The shard's own claim on its `scan_shards` row. */
  shardToken: string;
  index: number;
  count: number;
}

interface ShardRow {
  shard_index: number;
  shard_count: number;
  status: string;
  seen: number;
  added: number;
  progress_done: number | null;
  progress_total: number | null;
  error_count: number;
  errors: string;
  covered: string | null;
}

/**
 * Claims shard `index` of the source's current run, exclusively across
 * replicas: in one transaction, {@link claimSourceRun} finds the run holding a
 * live lease on the source or claims one (the oldest queued manual request,
 * else a new run — failing runs without a live lease), under the same claim
 * rule and per-source lock as unsharded sources; a newly claimed run gets one
 * queued `scan_shards` row per shard. Returns nothing when this shard of the
 * current run was already claimed (it ran, or runs, elsewhere): the task waits
 * for its next tick.
 */
export async function claimShard(
  stores: InventoryStores,
  source: ConfiguredSource,
  index: number,
  at = Date.now(),
): Promise<ShardClaim | undefined> {
  const now = new Date(at).toISOString();
  const count = source.shards;
  return stores.transaction(async tx => {
    const claim = await claimSourceRun({
      runs: stores.scanRuns,
      sourceId: source.id,
      timeoutMs: source.timeoutMs,
      trigger: 'schedule',
      takeQueued: true,
      now: at,
      abandonedReason: 'Abandoned: the backends running its shards stopped or lost the run before it finished',
      tx,
    });
    const scanId = claim.claimed ? claim.scanId : claim.live.id;
    if (claim.claimed) {
      await tx('scan_shards').insert(
        Array.from({ length: count }, (_, i) => ({ run_id: scanId, shard_index: i, shard_count: count, status: 'queued', errors: '[]' })),
      );
    }
    const shardToken = RunLease.newToken();
    const claimed = await tx('scan_shards')
      .where({ run_id: scanId, shard_index: index, status: 'queued' })
      .update({ status: 'running', lease_token: shardToken, started_at: now, heartbeat_at: now });
    if (claimed !== 1) return undefined;
    return { scanId, runToken: claim.token, shardToken, index, count };
  });
}

const sumOf = (rows: ShardRow[], pick: (r: ShardRow) => number | null) =>
  rows.reduce((sum, r) => sum + Number(pick(r) ?? 0), 0);

/**
 * The run's counters: its shards' summed (`seen` too while the run goes: an
 * identity two shards sighted counts twice until the run ends, when `seen`
 * becomes the distinct count); problems prefixed with their shard.
 */
function summed(rows: ShardRow[]) {
  const errors: ScanError[] = [];
  for (const r of rows) {
    for (const e of JSON.parse(r.errors) as ScanError[]) {
      if (errors.length < MAX_STORED_ERRORS) {
        errors.push({ ...e, message: `Shard ${r.shard_index + 1}/${r.shard_count}: ${e.message}` });
      }
    }
  }
  const totals = rows.map(r => r.progress_total);
  return {
    seen: sumOf(rows, r => r.seen),
    added: sumOf(rows, r => r.added),
    progress: {
      done: sumOf(rows, r => r.progress_done ?? r.seen),
      total: totals.every(t => t !== null) ? sumOf(rows, r => r.progress_total) : undefined,
    },
    errors,
    errorCount: sumOf(rows, r => r.error_count),
  };
}

function shardPatch(update: ReturnType<RunConclusion['final']>) {
  return {
    seen: update.seen ?? 0,
    added: update.added ?? 0,
    progress_done: update.progress?.done ?? null,
    progress_total: update.progress?.total ?? null,
    error_count: update.errorCount ?? update.errors?.length ?? 0,
    errors: JSON.stringify((update.errors ?? []).slice(0, MAX_STORED_ERRORS)),
  };
}

/**
 * Writes a shard's progress and the run's, summed over its shards (the run row
 * locked first, as everything that writes a run's shards does).
 */
export async function writeShardProgress(
  stores: InventoryStores,
  shard: ShardClaim,
  update: ReturnType<RunConclusion['final']>,
): Promise<void> {
  await stores.transaction(async tx => {
    await stores.scanRuns.assertLease(shard.scanId, shard.runToken, tx);
    await tx('scan_shards')
      .where({ run_id: shard.scanId, shard_index: shard.index, lease_token: shard.shardToken, status: 'running' })
      .update({ ...shardPatch(update), heartbeat_at: new Date().toISOString() });
    await stores.scanRuns.update(shard.scanId, summed(await shardRows(tx, shard.scanId)), tx, shard.runToken);
  });
}

/**
 * Ends a shard: records its status, counters, problems and covered scopes on
 * its row, then — when it is the last shard of the run to finish — concludes
 * the run in the same transaction (the run row is locked first, so shards
 * ending at once on two replicas queue): a run whose every shard succeeded
 * applies the retirement rule over the union of the shards' coverage, with the
 * share guard over the whole source; a failed or partial shard fails or
 * partials the run and nothing is retired. Returns the shard's own status.
 */
export async function finishShard(
  stores: InventoryStores,
  shard: ShardClaim,
  conclusion: RunConclusion,
): Promise<{ status: RunConclusion['status']; retired: string[]; concluded: boolean }> {
  return stores.transaction(async tx => {
    await stores.scanRuns.assertLease(shard.scanId, shard.runToken, tx);
    const now = new Date().toISOString();
    const ended = await tx('scan_shards')
      .where({ run_id: shard.scanId, shard_index: shard.index, lease_token: shard.shardToken, status: 'running' })
      .update({
        ...shardPatch(conclusion.final()),
        status: conclusion.status,
        finished_at: now,
        covered: JSON.stringify([...conclusion.covered]),
      });
    if (ended !== 1) {
      throw new ConflictError(`Shard ${shard.index + 1}/${shard.count} of scan run ${shard.scanId} no longer holds its claim`);
    }
    const rows = await shardRows(tx, shard.scanId);
    const run = { scanId: shard.scanId, sourceId: conclusion.sourceId, runToken: shard.runToken, maxShare: conclusion.maxShare };
    const outcome = await settleShardedRun(stores, run, rows, tx);
    return { status: conclusion.status, retired: outcome.retired, concluded: outcome.concluded };
  });
}

const shardRows = async (tx: StoreTransaction, scanId: string) =>
  (await tx('scan_shards').where({ run_id: scanId }).orderBy('shard_index')) as ShardRow[];

/**
 * After one of its shards ended: a run with shards still queued or running gets
 * their summed counters; one with none is concluded ({@link concludeShardedRun}).
 */
async function settleShardedRun(
  stores: InventoryStores,
  run: { scanId: string; sourceId: string; runToken: string; maxShare: number },
  rows: ShardRow[],
  tx: StoreTransaction,
): Promise<{ concluded: boolean; retired: string[] }> {
  if (rows.some(r => r.status === 'queued' || r.status === 'running')) {
    await stores.scanRuns.update(run.scanId, summed(rows), tx, run.runToken);
    return { concluded: false, retired: [] };
  }
  return { concluded: true, retired: (await concludeShardedRun(stores, run, rows, tx)).retired };
}

/**
 * Concludes a sharded run none of whose shards is queued or running, inside
 * the transaction that locked its run row: a run whose every shard succeeded
 * applies the retirement rule over the union of the shards' coverage, with the
 * share guard over the whole source; a failed or partial shard fails or
 * partials the run and nothing is retired. `seen` counts each identity once,
 * however many shards sighted it.
 */
async function concludeShardedRun(
  stores: InventoryStores,
  run: { scanId: string; sourceId: string; runToken: string; maxShare: number },
  rows: ShardRow[],
  tx: StoreTransaction,
): Promise<{ status: RunConclusion['status']; retired: string[] }> {
  const statuses = rows.map(r => r.status);
  const status: RunConclusion['status'] = statuses.includes('failed')
    ? 'failed'
    : statuses.every(s => s === 'succeeded')
      ? 'succeeded'
      : 'partial';
  const totals = summed(rows);
  // Shards may sight one identity (at locations in several shards): the run counts it once.
  totals.seen = await stores.scanRuns.countSighted(run.scanId, run.sourceId, tx);
  const notDone = rows.filter(r => r.status !== 'succeeded');
  if (notDone.length > 0) {
    totals.errors.push({
      message: `Nothing retired: shard(s) ${notDone.map(r => `${r.shard_index + 1}/${r.shard_count} ${r.status}`).join(', ')}; only a run whose every shard succeeded may retire identities`,
    });
    totals.errorCount += 1;
  }
  const covered = new Set<string>();
  for (const r of rows) for (const scope of JSON.parse(r.covered ?? '[]') as string[]) covered.add(scope);
  return concludeRun(
    stores,
    {
      scanId: run.scanId,
      sourceId: run.sourceId,
      status,
      covered,
      maxShare: run.maxShare,
      leaseToken: run.runToken,
      record: (problem: ScanError) => {
        totals.errorCount += 1;
        if (totals.errors.length < MAX_STORED_ERRORS) totals.errors.push(problem);
      },
      final: () => totals,
    },
    tx,
  );
}

/**
 * Fails running shards whose claim had no heartbeat for {@link STALE_AFTER_MS}
 * (their process died; a live shard heartbeats with its run's lease), one run
 * at a time, each in a transaction that locks the run row first. A run left
 * with no shard queued or running is concluded at once — failed, retiring
 * nothing — rather than when its own lease goes stale; one whose other shards
 * still run is concluded by the last of them. Shards of runs that already
 * ended are marked failed too. Returns how many shards were failed.
 */
export async function failStaleShards(stores: InventoryStores, at = Date.now()): Promise<number> {
  const heartbeatBefore = new Date(at - STALE_AFTER_MS).toISOString();
  const now = new Date(at).toISOString();
  const stale = (tx: StoreTransaction, scanId?: string) =>
    tx('scan_shards')
      .where({ status: 'running', ...(scanId ? { run_id: scanId } : {}) })
      .where('heartbeat_at', '<', heartbeatBefore);
  const scanIds = await stores.transaction(async tx => (await stale(tx).distinct('run_id')).map(r => r.run_id as string));
  let failed = 0;
  for (const scanId of scanIds) {
    failed += await stores.transaction(async tx => {
      const run = await stores.scanRuns.lockRunning(scanId, tx);
      const ended = await stale(tx, scanId).update({
        status: 'failed',
        finished_at: now,
        error_count: 1,
        errors: JSON.stringify([
          { message: `Abandoned: no heartbeat for ${STALE_AFTER_MS / 1000}s, the process running the shard stopped` },
        ]),
      });
      if (!run || ended === 0) return ended;
      const held = { scanId, sourceId: run.sourceId, runToken: run.leaseToken, maxShare: 0 };
      await settleShardedRun(stores, held, await shardRows(tx, scanId), tx);
      return ended;
    });
  }
  return failed;
}

/**
 * Triggers a source's scheduler task now (a `ConflictError` when it is
 * claimed), or every shard's task of a sharded source; returns the shards
 * whose tasks the scheduler still holds claimed — by a tick elsewhere, or by a
 * process that died (until the task's timeout and a scheduler janitor).
 */
export async function triggerSource(
  scheduler: Pick<SchedulerService, 'triggerTask'>,
  source: ConfiguredSource,
  taskId: string,
): Promise<number[]> {
  if (source.shards <= 1) {
    await scheduler.triggerTask(taskId);
    return [];
  }
  const claimed: number[] = [];
  for (let index = 0; index < source.shards; index++) {
    try {
      await scheduler.triggerTask(shardTaskId(source.id, index));
    } catch (error) {
      if (!isError(error) || error.name !== 'ConflictError') throw error;
      claimed.push(index);
    }
  }
  return claimed;
}
