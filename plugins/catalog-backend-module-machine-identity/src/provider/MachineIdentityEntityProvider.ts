import type { LoggerService } from '@backstage/backend-plugin-api';
import { DEFAULT_NAMESPACE } from '@backstage/catalog-model';
import { stringifyError } from '@backstage/errors';
import type {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  type IdentityChange,
  identityToEntity,
  MACHINE_IDENTITY_KIND,
  MACHINE_IDENTITY_LOCATION,
  MachineIdentityEntityNamer,
  machineIdentityEntityV1alpha1Validator,
} from '@keyring/plugin-machine-identity-common';
import type { CatalogEntityLister } from './CatalogEntityLister';
import type { ChangeFeedClient } from './ChangeFeedClient';

const MAX_FEED_PAGE = 1000;

/** What one poll or reconcile did. */
export interface ProviderRunSummary {
  kind: 'poll' | 'reconcile';
  /** Change feed items read. */
  feedItems: number;
  /** `applyMutation` calls made. */
  mutations: number;
  /** Entities sent as added or updated. */
  added: number;
  /** Entities removed (retention expired, or absent from the inventory). */
  removed: number;
  /** Removals the mass-removal guard refused. */
  refusedRemovals: number;
  /** Feed items that could not become a valid entity (logged, not sent). */
  skipped: number;
  /** Whether the run read everything it meant to read. */
  complete: boolean;
}

/** Options of {@link MachineIdentityEntityProvider.create}. */
export interface MachineIdentityEntityProviderOptions {
  feed: ChangeFeedClient;
  logger: LoggerService;
  /** Reads back what the catalog shows for the provider (drift repair after restarts). */
  lister?: CatalogEntityLister;
  /** Gone and revoked identities stay this long after `stateChangedAt`, in ms. */
  retentionMs: number;
  /** Feed page size and entities per mutation (default 1000). */
  batchSize?: number;
  /** Guard: refuse removing more than this share of the provider's entities… */
  removalGuardMaxShare?: number;
  /** …when that is also more than this many entities. */
  removalGuardMinCount?: number;
  namespace?: string;
  /** Injected clock (ms since epoch). */
  now?: () => number;
}

/**
 * Mirrors the machine-identity backend's inventory into the catalog as
 * MachineIdentity entities. {@link MachineIdentityEntityProvider.poll} reads
 * the change feed from the last sequence seen and applies delta mutations
 * for those changes only, so an unchanged inventory mutates nothing.
 * {@link MachineIdentityEntityProvider.reconcile} reads the whole feed and
 * repairs drift, refusing to remove a mass of entities when the feed failed or
 * came back empty. State (last sequence, what was applied) lives in memory and
 * is rebuilt by a reconcile on start.
 */
export class MachineIdentityEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly namer = new MachineIdentityEntityNamer();
  /** Entity ref → changeSeq of what this provider applied. */
  private applied = new Map<string, number>();
  /** Entity ref → when a gone/revoked entity leaves the catalog (ms). */
  private retained = new Map<string, number>();
  private lastSeq = 0;
  private initialized = false;
  private running: Promise<unknown> = Promise.resolve();
  private readonly totals = { mutations: 0, added: 0, removed: 0 };

  private readonly batchSize: number;
  /** Feed page size: the backend answers at most 1,000 changes a page. */
  private readonly pageSize: number;
  private readonly maxShare: number;
  private readonly minCount: number;
  private readonly namespace: string;
  private readonly now: () => number;

  static create(options: MachineIdentityEntityProviderOptions): MachineIdentityEntityProvider {
    return new MachineIdentityEntityProvider(options);
  }

  private constructor(private readonly options: MachineIdentityEntityProviderOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.pageSize = Math.min(this.batchSize, MAX_FEED_PAGE);
    this.maxShare = options.removalGuardMaxShare ?? 0.5;
    this.minCount = options.removalGuardMinCount ?? 100;
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.now = options.now ?? Date.now;
  }

  getProviderName(): string {
    return 'MachineIdentityEntityProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
  }

  /** Totals since start: mutations applied and entities added/removed. */
  getTotals(): { mutations: number; added: number; removed: number } {
    return { ...this.totals };
  }

  /** Entities the provider believes are in the catalog. */
  get size(): number {
    return this.applied.size;
  }

  /**
   * Applies the changes since the last sequence seen, then removes gone and
   * revoked identities whose retention ended. Reconciles instead while the
   * provider has not reconciled once since start.
   */
  poll(): Promise<ProviderRunSummary> {
    return this.exclusive(() => (this.initialized ? this.doPoll() : this.doReconcile()));
  }

  /** Reads the whole feed and makes the catalog match it, under the mass-removal guard. */
  reconcile(): Promise<ProviderRunSummary> {
    return this.exclusive(() => this.doReconcile());
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  private summary(kind: ProviderRunSummary['kind']): ProviderRunSummary {
    return {
      kind, feedItems: 0, mutations: 0, added: 0, removed: 0,
      refusedRemovals: 0, skipped: 0, complete: true,
    };
  }

  private async doPoll(): Promise<ProviderRunSummary> {
    const run = this.summary('poll');
    const started = this.now();
    let since = this.lastSeq;
    try {
      for (;;) {
        const page = await this.options.feed.readChanges({ since, limit: this.pageSize });
        run.feedItems += page.items.length;
        const batch = newBatch();
        for (const item of page.items) {
          const ref = this.refOf(item, run);
          if (!ref || this.applied.get(ref) === item.changeSeq) continue;
          this.place(item, ref, run, batch, this.applied, this.retained);
        }
        await this.apply(batch, run);
        since = Math.max(since, page.nextSince);
        this.lastSeq = since;
        if (!page.hasMore || page.items.length === 0) break;
      }
    } catch (error) {
      run.complete = false;
      this.options.logger.warn(
        `Machine identity change feed read failed after sequence ${since}; will retry: ${stringifyError(error)}`,
      );
    }
    await this.sweepRetention(run);
    if (run.mutations > 0 || !run.complete) {
      this.options.logger.info(
        `Applied ${run.feedItems.toLocaleString('en-US')} machine identity changes to the catalog ` +
          `(${run.added} added or updated, ${run.removed} removed, ${run.skipped} skipped) ` +
          `in ${run.mutations} mutations, ${((this.now() - started) / 1000).toFixed(1)}s`,
      );
    }
    return run;
  }

  private async doReconcile(): Promise<ProviderRunSummary> {
    const run = this.summary('reconcile');
    const started = this.now();
    const logger = this.options.logger;

    // What the catalog shows today: seeds names (they survive restarts) and
    // finds entities to repair or remove.
    let listed: Set<string> | undefined;
    if (this.options.lister) {
      try {
        const entities = await this.options.lister.list(MACHINE_IDENTITY_LOCATION);
        listed = new Set();
        for (const entity of entities) {
          listed.add(entity.entityRef);
          if (entity.type && entity.fingerprintSha256) {
            this.namer.remember(entity.name, entity.type, entity.fingerprintSha256);
          }
        }
      } catch (error) {
        logger.warn(
          `Could not list MachineIdentity entities from the catalog; reconciling against ` +
            `the provider's own state only: ${stringifyError(error)}`,
        );
      }
    }

    const desired = new Set<string>();
    const retired = new Set<string>();
    const nextApplied = new Map<string, number>();
    const nextRetained = new Map<string, number>();
    let since = 0;
    try {
      for (;;) {
        const page = await this.options.feed.readChanges({ since, limit: this.pageSize });
        run.feedItems += page.items.length;
        const batch = newBatch();
        for (const item of page.items) {
          const ref = this.refOf(item, run);
          if (!ref) continue;
          if (!this.isVisible(item)) {
            if (this.applied.has(ref) || listed?.has(ref)) {
              // Retention ended: explicit state, so not subject to the guard.
              batch.removed.push(ref);
              batch.commits.push(() => this.forget(ref));
              retired.add(ref);
            }
            continue;
          }
          desired.add(ref);
          const current = this.applied.get(ref) === item.changeSeq;
          const shown = listed ? listed.has(ref) : true;
          if (current && shown) {
            nextApplied.set(ref, item.changeSeq);
            if (item.state !== 'active') nextRetained.set(ref, this.retentionEnd(item));
          } else if (!this.place(item, ref, run, batch, nextApplied, nextRetained)) {
            desired.delete(ref);
          }
        }
        await this.apply(batch, run);
        since = Math.max(since, page.nextSince);
        if (!page.hasMore || page.items.length === 0) break;
      }
    } catch (error) {
      run.complete = false;
      logger.warn(
        `Machine identity change feed read failed during reconcile after sequence ${since}; ` +
          `removing nothing this time: ${stringifyError(error)}`,
      );
    }

    if (!run.complete) {
      // Keep what is known, add what was learned; remove nothing.
      for (const [ref, seq] of nextApplied) this.applied.set(ref, seq);
      for (const [ref, end] of nextRetained) this.retained.set(ref, end);
      this.lastSeq = Math.max(this.lastSeq, since);
      return run;
    }

    // Entities the provider or the catalog holds that the inventory no longer has.
    const absent = new Set<string>();
    for (const ref of this.applied.keys()) if (!desired.has(ref)) absent.add(ref);
    if (listed) for (const ref of listed) if (!desired.has(ref) && !retired.has(ref)) absent.add(ref);
    const held = new Set([...this.applied.keys(), ...(listed ?? [])]).size;
    const refused = this.guard(absent.size, held, desired.size);
    if (refused) {
      run.refusedRemovals = absent.size;
      logger.warn(refused);
      for (const ref of absent) {
        nextApplied.set(ref, this.applied.get(ref) ?? -1); // keep tracking, retry next reconcile
      }
    } else if (absent.size > 0) {
      await this.apply({ added: [], removed: [...absent], commits: [] }, run);
    }

    this.applied = nextApplied;
    this.retained = nextRetained;
    this.lastSeq = since;
    this.initialized = true;
    logger.info(
      `Reconciled ${desired.size.toLocaleString('en-US')} MachineIdentity entities with the ` +
        `inventory (${run.feedItems.toLocaleString('en-US')} feed items, ${run.added} added or ` +
        `updated, ${run.removed} removed, ${run.refusedRemovals} removals refused, ` +
        `${run.skipped} skipped) in ${run.mutations} mutations, ${((this.now() - started) / 1000).toFixed(1)}s`,
    );
    return run;
  }

  /** Why removing `count` of `held` entities is refused, or undefined when it is allowed. */
  private guard(count: number, held: number, desired: number): string | undefined {
    if (count === 0) return undefined;
    if (desired === 0) {
      return (
        `Refusing to remove ${count.toLocaleString('en-US')} MachineIdentity entities: the ` +
        `machine-identity change feed came back empty while the catalog holds ${held.toLocaleString('en-US')}. ` +
        `If the inventory really is empty, remove the entities by hand.`
      );
    }
    if (count > this.minCount && count > this.maxShare * held) {
      return (
        `Refusing to remove ${count.toLocaleString('en-US')} of ${held.toLocaleString('en-US')} ` +
        `MachineIdentity entities (${((100 * count) / held).toFixed(0)} %) in one reconcile: more ` +
        `than ${(100 * this.maxShare).toFixed(0)} % and more than ${this.minCount} ` +
        `(machineIdentity.catalog.removalGuard). Check the inventory's last scans.`
      );
    }
    return undefined;
  }

  /**
   * Queues an item as added (or removed once its retention ended) and, once
   * the mutation is applied, records it in `applied`/`retained`. Returns
   * whether the item is shown in the catalog.
   */
  private place(
    item: IdentityChange,
    ref: string,
    run: ProviderRunSummary,
    batch: Batch,
    applied: Map<string, number>,
    retained: Map<string, number>,
  ): boolean {
    if (!this.isVisible(item)) {
      if (this.applied.has(ref)) {
        batch.removed.push(ref);
        batch.commits.push(() => this.forget(ref));
      }
      return false;
    }
    try {
      const entity = identityToEntity(item, {
        name: this.namer.nameFor(item.type, item.fingerprintSha256),
        namespace: this.namespace,
      });
      machineIdentityEntityV1alpha1Validator(entity);
      batch.added.push({ entity, locationKey: MACHINE_IDENTITY_LOCATION });
    } catch (error) {
      run.skipped += 1;
      this.options.logger.warn(
        `Skipped machine identity ${item.id}: it does not make a valid MachineIdentity entity: ${stringifyError(error)}`,
      );
      return false;
    }
    const retainUntil = item.state === 'active' ? undefined : this.retentionEnd(item);
    batch.commits.push(() => {
      applied.set(ref, item.changeSeq);
      if (retainUntil === undefined) retained.delete(ref);
      else retained.set(ref, retainUntil);
    });
    return true;
  }

  private forget(ref: string): void {
    this.applied.delete(ref);
    this.retained.delete(ref);
  }

  private refOf(item: IdentityChange, run: ProviderRunSummary): string | undefined {
    try {
      const name = this.namer.nameFor(item.type, item.fingerprintSha256);
      return `${MACHINE_IDENTITY_KIND.toLocaleLowerCase('en-US')}:${this.namespace}/${name}`;
    } catch (error) {
      run.skipped += 1;
      this.options.logger.warn(`Skipped machine identity ${item.id}: ${stringifyError(error)}`);
      return undefined;
    }
  }

  private isVisible(item: IdentityChange): boolean {
    if (item.state !== 'gone' && item.state !== 'revoked') return true;
    return this.retentionEnd(item) > this.now();
  }

  private retentionEnd(item: IdentityChange): number {
    const changed = Date.parse(item.stateChangedAt);
    return (Number.isNaN(changed) ? this.now() : changed) + this.options.retentionMs;
  }

  private async sweepRetention(run: ProviderRunSummary): Promise<void> {
    const now = this.now();
    const expired: string[] = [];
    for (const [ref, end] of this.retained) if (end <= now) expired.push(ref);
    if (expired.length === 0) return;
    await this.apply(
      { added: [], removed: expired, commits: expired.map(ref => () => this.forget(ref)) },
      run,
    );
  }

  /** Applies a batch as delta mutations of at most `batchSize` each, then commits its state. */
  private async apply(batch: Batch, run: ProviderRunSummary): Promise<void> {
    if (!this.connection) {
      throw new Error('MachineIdentityEntityProvider is not connected to the catalog yet');
    }
    const { added, removed } = batch;
    for (let i = 0; i < Math.max(added.length, removed.length); i += this.batchSize) {
      const addChunk = added.slice(i, i + this.batchSize);
      const removeChunk = removed.slice(i, i + this.batchSize).map(entityRef => ({
        entityRef,
        locationKey: MACHINE_IDENTITY_LOCATION,
      }));
      await this.connection.applyMutation({ type: 'delta', added: addChunk, removed: removeChunk });
      run.mutations += 1;
      run.added += addChunk.length;
      run.removed += removeChunk.length;
      this.totals.mutations += 1;
      this.totals.added += addChunk.length;
      this.totals.removed += removeChunk.length;
    }
    for (const commit of batch.commits) commit();
  }
}

/** Entities to send in one go, and the state to record once they are applied. */
interface Batch {
  added: DeferredEntity[];
  removed: string[];
  commits: Array<() => void>;
}

function newBatch(): Batch {
  return { added: [], removed: [], commits: [] };
}
