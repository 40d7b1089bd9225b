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

/**
 * The fencing lease of one scan run: a random token written on the run when it
 * is claimed, renewed by a heartbeat. When the run no longer holds it (the
 * sweep failed it, a newer run superseded it), `signal` aborts the scan and
 * every write the run attempts is refused by the stores.
 */
export class RunLease {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly runs: ScanRunStore,
    readonly scanId: string,
    readonly token: string,
    logger: LoggerService,
  ) {
    this.timer = setInterval(() => {
      this.runs.heartbeat(scanId, token, new Date().toISOString()).then(
        held => {
          if (!held && !this.lost.signal.aborted) {
            logger.warn(`Scan run ${scanId} lost its lease (failed or superseded elsewhere); stopping it`);
            this.lost.abort();
          }
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

  /** Starts heart-beating the lease `token` of a claimed run. */
  static hold(options: { runs: ScanRunStore; scanId: string; token: string; logger: LoggerService }): RunLease {
    return new RunLease(options.runs, options.scanId, options.token, options.logger);
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
 * heartbeat for {@link STALE_AFTER_MS}), on every replica.
 */
export async function scheduleStaleRunSweep(options: {
  scheduler: SchedulerService;
  runs: ScanRunStore;
  /** Where the failed runs' logged sightings are dropped. */
  sightings?: SightingStore;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, runs, sightings, logger } = options;
  await scheduler.scheduleTask({
    id: 'machine-identity-scan-sweep',
    frequency: { milliseconds: SWEEP_EVERY_MS },
    timeout: { seconds: 30 },
    fn: async () => {
      try {
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
