import { randomUUID } from 'node:crypto';
import type { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { ScanRunStore, SightingStore } from '../database/types';

/** How often a running scan renews its lease. */
export const HEARTBEAT_MS = 10_000;
/** A running scan whose heartbeat is older than this is dead: the sweep fails it. */
export const STALE_AFTER_MS = 40_000;
/** How often the sweep looks for dead runs (so a dead run is failed within a minute). */
const SWEEP_EVERY_MS = 15_000;

/** The claim of one shard of a sharded run (its `scan_shards` row), heart-beaten with the run's lease. */
export interface HeldShard {
  index: number;
  shardToken: string;
}

/**
 * The fencing lease of one scan run: a random token written on the run when it
 * is claimed, renewed by a heartbeat. When the run no longer holds it (the
 * sweep failed it, a newer run superseded it), `signal` aborts the scan and
 * every write the run attempts is refused by the stores. A shard of a sharded
 * run heartbeats its own claim too, so the sweep fails a shard whose process
 * died while the run's other shards keep the run's lease.
 */
export class RunLease {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly runs: ScanRunStore,
    readonly scanId: string,
    readonly token: string,
    logger: LoggerService,
    shard?: HeldShard,
  ) {
    const lost = (what: string) => {
      if (this.lost.signal.aborted) return;
      logger.warn(`${what}; stopping it`);
      this.lost.abort();
    };
    this.timer = setInterval(() => {
      const now = new Date().toISOString();
      Promise.all([
        this.runs.heartbeat(scanId, token, now),
        shard ? this.runs.heartbeatShard(scanId, shard.index, shard.shardToken, now) : true,
      ]).then(
        ([run, own]) => {
          if (!run) lost(`Scan run ${scanId} lost its lease (failed or superseded elsewhere)`);
          else if (!own) lost(`Shard ${shard!.index + 1} of scan run ${scanId} lost its claim (failed as abandoned)`);
        },
        error => logger.warn(`Heartbeat of scan run ${scanId} failed: ${isError(error) ? error.message : String(error)}`),
      );
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** A new token, before the run is created or claimed with it. */
  static newToken(): string {
    return randomUUID();
  }

  /** Starts heart-beating the lease `token` of a claimed run (and the claim of `shard`, the shard of it this process runs). */
  static hold(options: { runs: ScanRunStore; scanId: string; token: string; logger: LoggerService; shard?: HeldShard }): RunLease {
    return new RunLease(options.runs, options.scanId, options.token, options.logger, options.shard);
  }

  /** Aborted once the run no longer holds its lease. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Stops the heartbeat (the run ended). */
  release(): void {
    clearInterval(this.timer);
  }
}

/**
 * Schedules the sweep that fails running scans whose process died (no
 * heartbeat for {@link STALE_AFTER_MS}), on every replica; first the shards of
 * sharded runs whose process died (`failStaleShards`).
 */
export async function scheduleStaleRunSweep(options: {
  scheduler: SchedulerService;
  runs: ScanRunStore;
  /** Where the failed runs' logged sightings are dropped. */
  sightings?: SightingStore;
  /** Fails shards without a heartbeat for {@link STALE_AFTER_MS} (concluding their runs once no shard runs); returns how many. */
  failStaleShards?: () => Promise<number>;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, runs, sightings, failStaleShards, logger } = options;
  await scheduler.scheduleTask({
    id: 'machine-identity-scan-sweep',
    frequency: { milliseconds: SWEEP_EVERY_MS },
    timeout: { seconds: 30 },
    fn: async () => {
      try {
        const shards = (await failStaleShards?.()) ?? 0;
        if (shards > 0) {
          logger.warn(`Failed ${shards} shards of scan runs whose process stopped (no heartbeat for ${STALE_AFTER_MS / 1000}s)`);
        }
        const now = Date.now();
        const failed = await runs.failStale(
          new Date(now - STALE_AFTER_MS).toISOString(),
          new Date(now).toISOString(),
          `Abandoned: no heartbeat for ${STALE_AFTER_MS / 1000}s, the process running the scan stopped`,
        );
        if (failed > 0) {
          logger.warn(`Failed ${failed} scan runs whose process stopped (no heartbeat for ${STALE_AFTER_MS / 1000}s)`);
        }
        await sightings?.dropEnded();
      } catch (error) {
        logger.warn(`Sweep of abandoned scan runs failed: ${isError(error) ? error.message : String(error)}`);
      }
    },
  });
}
