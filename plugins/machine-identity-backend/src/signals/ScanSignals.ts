import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  type InventoryChangedSignal,
  type ScanProgressSignal,
  inventoryChangedChannel,
  scanProgressChannel,
} from '@keyring/plugin-machine-identity-common';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { ChangeFeedStore } from '../database/types';

/** Least time between two progress messages of one run (the last one is always sent). */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Pushes scan progress and inventory changes to browsers through Backstage's
 * signals: `machine-identity:scan:<sourceId>` with done/total while a run goes
 * on and its outcome at the end, and `machine-identity:inventory:<entityRef>`
 * for every owner and Component whose identities moved in the change feed.
 * Broadcast: the messages hold counts and refs only, and a listener reloads
 * through the authorized API. Publishing never fails a scan.
 */
export class ScanSignals {
  private position: number | undefined;
  private pending: Promise<void> = Promise.resolve();
  private readonly lastProgress = new Map<string, { at: number; total?: number }>();

  private constructor(
    private readonly signals: SignalsService,
    private readonly changes: ChangeFeedStore,
    private readonly logger: LoggerService,
  ) {}

  /** Publishes with `signals`, reading changed entities from `changes`. */
  static create(options: { signals: SignalsService; changes: ChangeFeedStore; logger: LoggerService }): ScanSignals {
    return new ScanSignals(options.signals, options.changes, options.logger);
  }

  /** Starts following the change feed from its current position (once per process). */
  async follow(): Promise<void> {
    if (this.position === undefined) {
      try {
        this.position = await this.changes.position();
      } catch (error) {
        this.logger.warn(`Could not read the change feed position to signal from: ${isError(error) ? error.message : String(error)}`);
      }
    }
  }

  /** A run's progress; a running step closer than 500 ms to the previous one with the same total is dropped. */
  progress(message: ScanProgressSignal): Promise<void> {
    const now = Date.now();
    const last = this.lastProgress.get(message.scanId);
    if (message.status !== 'running') {
      this.lastProgress.delete(message.scanId);
    } else if (last && last.total === message.total && now - last.at < PROGRESS_INTERVAL_MS) {
      return Promise.resolve();
    } else {
      this.lastProgress.set(message.scanId, { at: now, total: message.total });
    }
    return this.send(scanProgressChannel(message.sourceId), message);
  }

  /** Publishes one inventory signal per entity whose identities moved since the last call (calls queue). */
  inventoryChanged(): Promise<void> {
    this.pending = this.pending.then(async () => {
      if (this.position === undefined) return;
      try {
        const { position, entities } = await this.changes.entitiesChangedSince(this.position);
        this.position = position;
        for (const { entityRef, changed } of entities) {
          const message: InventoryChangedSignal = { entityRef, changed };
          await this.send(inventoryChangedChannel(entityRef), message);
        }
      } catch (error) {
        this.logger.warn(`Could not read the inventory changes to signal: ${isError(error) ? error.message : String(error)}`);
      }
    });
    return this.pending;
  }

  private async send(channel: string, message: ScanProgressSignal | InventoryChangedSignal): Promise<void> {
    try {
      await this.signals.publish({ recipients: { type: 'broadcast' }, channel, message });
    } catch (error) {
      this.logger.warn(`Could not publish signal ${channel}: ${isError(error) ? error.message : String(error)}`);
    }
  }
}
