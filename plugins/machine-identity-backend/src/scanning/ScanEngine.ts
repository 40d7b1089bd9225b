import { randomUUID } from 'node:crypto';
import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError, isError } from '@backstage/errors';
import type { ScanError, ScanSource } from '@keyring/plugin-machine-identity-common';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import type { InventoryStores } from '../database/types';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import type { OwnershipResolveFn } from '../ownership/types';
import type { PolicyEvaluation } from '../policy/PolicyEvaluation';
import type { SecretFingerprintFn } from '../secrets/SecretFingerprinter';
import type { ScanSignals } from '../signals/ScanSignals';
import { concludeRun } from './concludeRun';
import { runClaimedShards } from './runClaimedShards';
import { type ShardClaim, claimShard, failStaleShards, finishShard, handShardBack, shardTaskId, triggerSource, writeShardProgress } from './shardRuns';
import { RunLease, scheduleStaleRunSweep } from './RunLease';
import { ABANDON_GRACE_MS, claimSourceRun } from './sourceClaim';
import type { ConfiguredSource } from './readSources';
import { validateDiscovery } from './validateDiscovery';

/** Discoveries written per batch. */
const BATCH_SIZE = 1000;
/** Minimum interval between progress writes. */
const PROGRESS_INTERVAL_MS = 2000;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Outcome of one run, for hooks that follow a scan (revocation verification). */
export interface ScanOutcome {
  scanId: string;
  sourceId: string;
  status: 'succeeded' | 'partial' | 'failed';
  /** Identities written or retired by the run. */
  touchedIds: string[];
}

/** Options of {@link ScanEngine.create}. */
export interface ScanEngineOptions {
  stores: InventoryStores;
  scanners: MachineIdentityScanner[];
  sources: ConfiguredSource[];
  logger: LoggerService;
  scheduler: SchedulerService;
  fingerprintSecret: SecretFingerprintFn;
  /** Resolves ownership of discovered identities. */
  resolveOwnership: OwnershipResolveFn;
  /** Evaluates policy inside each batch's write. */
  policy?: PolicyEvaluation;
  /**
   * The version of what besides a discovery decides its identity record (the
   * Component index ownership resolves against): a batch skips an identity
   * only when its sightings and this version are both unchanged.
   */
  inputVersion?: () => string;
  /**
   * Largest share of a source's active identities one run may retire before
   * a second run confirms (`machineIdentity.retirement.maxShare`, default 0.1).
   */
  maxRetirementShare?: number;
  /** Called before each run (e.g. to refresh the Component index). */
  beforeScan?: () => Promise<void>;
  /** Called after each run that wrote anything. */
  afterScan?: (outcome: ScanOutcome) => Promise<void>;
  /** Pushes progress and inventory changes to browsers (Backstage signals). */
  signals?: ScanSignals;
}

/**
 * Runs discovery scans: one scheduled task per configured source, "scan now"
 * through {@link ScanEngine.requestScan}, batched writes, progress, and the
 * retire rule (only a succeeded run may mark unseen identities `gone`).
 */
export class ScanEngine {
  private readonly sources: Map<string, ConfiguredSource>;
  private readonly scanners = new Map<string, MachineIdentityScanner>();
  /** Shards of each source running on this replica. */
  private readonly localShards = new Map<string, number>();

  private constructor(private readonly options: ScanEngineOptions) {
    this.sources = new Map(options.sources.map(s => [s.id, s]));
    for (const scanner of options.scanners) {
      for (const type of scanner.sourceTypes) {
        if (this.scanners.has(type)) {
          throw new ConflictError(`Two scanner modules serve source type "${type}"`);
        }
        this.scanners.set(type, scanner);
      }
    }
  }

  /** Creates the engine; call {@link ScanEngine.schedule} to start scheduled scans. */
  static create(options: ScanEngineOptions): ScanEngine {
    return new ScanEngine(options);
  }

  /** The scheduler task id of a source. */
  static taskId(sourceId: string): string {
    return `machine-identity-scan:${sourceId}`;
  }

  /** Schedules every configured source as a task. */
  async schedule(): Promise<void> {
    for (const source of this.sources.values()) {
      if (!this.scanners.has(source.type)) {
        this.options.logger.warn(
          `Source ${source.id} has type "${source.type}" but no installed scanner module serves it; its scans will fail until one is added`,
        );
      }
      if (source.shards > 1) {
        // One task per shard: replicas' schedulers claim them independently, so the shards of a run run in parallel.
        for (let index = 0; index < source.shards; index++) {
          await this.options.scheduler.scheduleTask({
            id: shardTaskId(source.id, index),
            ...source.schedule,
            fn: signal => this.runShard(source, index, signal),
          });
        }
        continue;
      }
      await this.options.scheduler.scheduleTask({
        id: ScanEngine.taskId(source.id),
        ...source.schedule,
        fn: signal => this.runScheduled(source, signal),
      });
    }
    await scheduleStaleRunSweep({
      scheduler: this.options.scheduler,
      runs: this.options.stores.scanRuns,
      sightings: this.options.stores.sightings,
      failStaleShards: () => failStaleShards(this.options.stores),
      logger: this.options.logger,
    });
  }

  /** Configured sources with their last run. */
  async listSources(): Promise<ScanSource[]> {
    const ids = [...this.sources.keys()];
    const latest = await this.options.stores.scanRuns.getLatest(ids);
    return [...this.sources.values()].map(s => ({
      id: s.id,
      type: s.type,
      lastRun: latest.get(s.id),
    }));
  }

  /**
   * Starts a scan of a source now. Creates the run record itself (the
   * scheduler's `triggerTask` returns nothing) and returns its id; when a run
   * is already going, returns that run's id instead of starting another.
   */
  async requestScan(sourceId: string): Promise<{ scanId: string; alreadyRunning: boolean }> {
    const source = this.sources.get(sourceId);
    if (!source) {
      throw new NotFoundError(`No source with id "${sourceId}" is configured`);
    }
    const runs = this.options.stores.scanRuns;
    const liveSince = new Date(
      Date.now() - source.timeoutMs - ABANDON_GRACE_MS,
    ).toISOString();
    const running = await runs.getRunning(sourceId, liveSince);
    if (running) {
      return { scanId: running.id, alreadyRunning: true };
    }
    const scanId = randomUUID();
    await runs.create({
      id: scanId,
      sourceId,
      trigger: 'manual',
      startedAt: new Date().toISOString(),
      claimed: false,
    });
    let claimedShards: number[];
    try {
      claimedShards = await triggerSource(this.options.scheduler, source, ScanEngine.taskId(sourceId));
    } catch (error) {
      await runs.deleteQueued(scanId);
      if (isError(error) && error.name === 'ConflictError') {
        // The scheduler still holds the task's claim — for a live run, or for a process that died (until the task's
        // timeout and its janitor). Keyring's own lease decides: with no live run, the scan runs here, now.
        const claim = await claimSourceRun({ runs, sourceId, timeoutMs: source.timeoutMs, trigger: 'manual', takeQueued: false, scanId });
        if (!claim.claimed) {
          return { scanId: claim.live.id, alreadyRunning: true };
        }
        this.options.logger.info(
          `Scheduler task of source ${sourceId} is claimed but no run of it holds a live lease; running scan ${claim.scanId} on this backend`,
        );
        void this.runClaimed(source, claim.scanId, claim.token, new AbortController().signal);
        return { scanId: claim.scanId, alreadyRunning: false };
      }
      throw error;
    }
    if (claimedShards.length > 0) {
      // The same for shards: with no run of the source live, a shard whose task the scheduler holds claimed runs here
      // (claimShard is exclusive: if a tick elsewhere claims that shard first, this one skips).
      this.options.logger.info(
        `Scheduler tasks of ${fmt(claimedShards.length)} of ${fmt(source.shards)} shards of source ${sourceId} are claimed but no run of it is live; running them on this backend`,
      );
      const { scheduler, logger } = this.options;
      const busy = () => this.localShards.get(source.id) ?? 0;
      const run = (index: number) => this.runShardHere(source, index, new AbortController().signal);
      void runClaimedShards({ scheduler, source, indexes: claimedShards, busy, run, logger });
    }
    return { scanId, alreadyRunning: false };
  }

  /** Runs a claimed run under its lease: never throws. */
  private async runClaimed(source: ConfiguredSource, scanId: string, token: string, signal: AbortSignal) {
    const lease = RunLease.hold({ runs: this.options.stores.scanRuns, scanId, token, logger: this.options.logger });
    try {
      await this.execute(source, lease, signal);
    } catch (error) {
      this.options.logger.error(
        `Scan ${scanId} of source ${source.id} failed outside the run: ${isError(error) ? error.message : String(error)}`,
      );
    } finally {
      lease.release();
    }
  }

  /** The scheduled task body: never throws. */
  private async runScheduled(source: ConfiguredSource, signal: AbortSignal) {
    const { logger } = this.options;
    const runs = this.options.stores.scanRuns;
    try {
      const claim = await claimSourceRun({ runs, sourceId: source.id, timeoutMs: source.timeoutMs, trigger: 'schedule', takeQueued: true });
      if (!claim.claimed) {
        // A run started outside the scheduler (a manual scan while a dead process held the task) or a run that outlived
        // its task: it keeps its lease, this tick is skipped.
        logger.info(
          `Skipped a scheduled scan of source ${source.id}: run ${claim.live.id} (started ${claim.live.startedAt}) still holds a live lease`,
        );
        return;
      }
      if (claim.abandoned > 0) {
        logger.warn(`Marked ${fmt(claim.abandoned)} abandoned scan runs of source ${source.id} as failed`);
      }
      await this.runClaimed(source, claim.scanId, claim.token, signal);
    } catch (error) {
      logger.error(
        `Scan task of source ${source.id} failed outside a run: ${isError(error) ? error.message : String(error)}`,
      );
    }
  }

  /** The task body of one shard of a sharded source: claims the shard of the current run and runs it; never throws. */
  private async runShard(source: ConfiguredSource, index: number, signal: AbortSignal) {
    const { logger } = this.options;
    const busy = this.localShards.get(source.id) ?? 0;
    if (busy >= source.shardsPerReplica) {
      // Spread the run over replicas: this one is busy, so the shard goes back to the scheduler for an idle one.
      logger.info(`Handed shard ${index + 1}/${source.shards} of source ${source.id} back: this backend runs ${busy} of its shards`);
      void handShardBack(this.options.scheduler, source, index, logger);
      return;
    }
    await this.runShardHere(source, index, signal);
  }

  /** Claims and runs shard `index` on this replica, counted against its shards of the source; never throws. */
  private async runShardHere(source: ConfiguredSource, index: number, signal: AbortSignal) {
    this.localShards.set(source.id, (this.localShards.get(source.id) ?? 0) + 1);
    try {
      await this.runClaimedShard(source, index, signal);
    } catch (error) {
      this.options.logger.error(
        `Shard ${index + 1}/${source.shards} of source ${source.id} failed outside a run: ${isError(error) ? error.message : String(error)}`,
      );
    } finally {
      this.localShards.set(source.id, (this.localShards.get(source.id) ?? 1) - 1);
    }
  }

  /** Claims shard `index` of the source's current run (or starts a run) and runs it under the run's lease. */
  private async runClaimedShard(source: ConfiguredSource, index: number, signal: AbortSignal) {
    const { logger, stores } = this.options;
    const shard = await claimShard(stores, source, index);
    if (!shard) {
      logger.info(`Skipped shard ${index + 1}/${source.shards} of source ${source.id}: the current run already claimed it`);
      return;
    }
    const lease = RunLease.hold({ runs: stores.scanRuns, scanId: shard.scanId, token: shard.runToken, logger, shard });
    try {
      await this.execute(source, lease, signal, shard);
    } finally {
      lease.release();
    }
  }

  /** Runs one scan (or one shard of a run) to its end and records the outcome. */
  private async execute(
    source: ConfiguredSource,
    lease: RunLease,
    taskSignal: AbortSignal,
    shard?: ShardClaim,
  ): Promise<void> {
    const { stores } = this.options;
    const { scanId, token: leaseToken } = lease;
    const logger = this.options.logger.child({ sourceId: source.id, scanId });
    const started = Date.now();
    const errors: ScanError[] = [];
    let errorCount = 0;
    let incomplete = false;
    let progress: { done: number; total?: number } | undefined;
    let lastProgressWrite = 0;
    const touched = new Set<string>();
    const seen = new Set<string>();
    let added = 0;
    let retired: string[] = [];
    let batch: MachineIdentityDiscovery[] = [];
    const timeout = AbortSignal.timeout(source.timeoutMs);
    const signal = AbortSignal.any([taskSignal, timeout, lease.signal]);
    const live = this.options.signals;
    const signalProgress = (status: ScanOutcome['status'] | 'running') =>
      live?.progress({ scanId, sourceId: source.id, status, done: progress?.done ?? seen.size, total: progress?.total, seen: seen.size });

    const record = (problem: ScanError, makesIncomplete: boolean) => {
      errorCount += 1;
      incomplete ||= makesIncomplete;
      if (errors.length < 100) {
        errors.push(problem);
      }
    };
    const writeProgress = async (force = false) => {
      if (!force && Date.now() - lastProgressWrite < PROGRESS_INTERVAL_MS) {
        return;
      }
      lastProgressWrite = Date.now();
      if (shard) {
        await writeShardProgress(stores, shard, { seen: seen.size, added, progress: progress ?? { done: seen.size }, errors, errorCount });
        return;
      }
      await stores.scanRuns.update(scanId, {
        seen: seen.size,
        added,
        progress: progress ?? { done: seen.size },
        errors,
        errorCount,
      }, undefined, leaseToken);
    };
    const flush = async () => {
      if (batch.length === 0) return;
      const discoveries = batch;
      batch = [];
      const result = await writeDiscoveries(stores, {
        scanId,
        sourceId: source.id,
        discoveries,
        now: new Date().toISOString(),
        resolveOwnership: this.options.resolveOwnership,
        policy: this.options.policy,
        inputVersion: this.options.inputVersion?.(),
        leaseToken,
      });
      added += result.added;
      for (const id of result.identityIds) {
        seen.add(id);
        touched.add(id);
      }
      await writeProgress();
      await live?.inventoryChanged();
    };

    // Places the scanner gave a definite answer for (see ScannerContext.reportCovered).
    const covered = new Set<string>();
    let status: ScanOutcome['status'];
    try {
      const scanner = this.scanners.get(source.type);
      if (!scanner) {
        throw new Error(
          `No installed scanner module serves source type "${source.type}"; add the module that provides it to the backend`,
        );
      }
      if (this.options.beforeScan) {
        await this.options.beforeScan();
      }
      await live?.follow();
      void signalProgress('running');
      const context: ScannerContext = {
        source: { id: source.id, type: source.type, config: source.config },
        logger,
        signal,
        reportProblem: p =>
          record(
            { location: p.location, message: String(p.message) },
            p.incomplete !== false,
          ),
        reportCovered: scope => {
          covered.add(String(scope));
        },
        // What earlier runs saw, from the inventory: evidence survives a restart and a move to another replica.
        lastSeenScopes: under => stores.identities.listLastSeenScopes(source.id, String(under)),
        reportProgress: p => {
          progress = { done: p.done, total: p.total };
          void signalProgress('running');
        },
        fingerprintSecret: this.options.fingerprintSecret,
        ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}),
      };
      for await (const discovery of scanner.scan(context)) {
        if (signal.aborted) break;
        const invalid = validateDiscovery(discovery);
        if (invalid) {
          record(
            {
              location:
                typeof discovery?.location === 'string'
                  ? discovery.location.slice(0, 200)
                  : undefined,
              message: `Skipped an invalid discovery: ${invalid}`,
            },
            true,
          );
          continue;
        }
        batch.push(discovery);
        if (batch.length >= BATCH_SIZE) {
          await flush();
        }
      }
      if (signal.aborted) {
        throw new Error(
          timeout.aborted
            ? `Timed out after ${fmt(Math.round(source.timeoutMs / 1000))}s`
            : lease.signal.aborted
              ? 'Stopped: the run lost its lease (failed as abandoned or superseded by a newer run)'
              : 'Aborted because the backend is stopping',
        );
      }
      await flush();
      status = incomplete ? 'partial' : 'succeeded';
    } catch (error) {
      status = 'failed';
      record({ message: isError(error) ? error.message : String(error) }, true);
      try {
        await flush();
      } catch {
        // the original failure is what the run reports
      }
    }

    const final = () => ({
      seen: seen.size,
      added,
      progress: progress ?? { done: seen.size, total: seen.size },
      errors,
      errorCount,
    });
    try {
      const conclusion = {
        scanId,
        sourceId: source.id,
        status,
        covered,
        maxShare: this.options.maxRetirementShare ?? 0.1,
        record,
        final,
        leaseToken,
      };
      ({ status, retired } = shard ? await finishShard(stores, shard, conclusion) : await concludeRun(stores, conclusion));
    } catch (error) {
      status = 'failed';
      record({ message: `Could not record the end of the run: ${isError(error) ? error.message : String(error)}` }, true);
      await stores.scanRuns.update(scanId, { ...final(), status, finishedAt: new Date().toISOString() }, undefined, leaseToken);
    }
    for (const id of retired) touched.add(id);
    await live?.inventoryChanged();
    await signalProgress(status);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const message = `Scan ${shard ? `shard ${shard.index + 1}/${shard.count} ` : ''}of source ${source.id} (${source.type}) ${status}: ${fmt(seen.size)} identities seen (${fmt(added)} new, ${fmt(retired.length)} retired), ${fmt(errorCount)} problems in ${seconds}s`;
    if (status === 'failed') {
      logger.warn(`${message}: ${errors[errors.length - 1]?.message}`);
    } else {
      logger.info(message);
    }
    if (this.options.afterScan && touched.size > 0) {
      try {
        await this.options.afterScan({ scanId, sourceId: source.id, status, touchedIds: [...touched] });
      } catch (error) {
        logger.warn(
          `Post-scan processing of source ${source.id} failed: ${isError(error) ? error.message : String(error)}`,
        );
      }
    }
  }
}
