import { DEFAULT_NAMESPACE } from '@backstage/catalog-model';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { deltaPoll } from './deltaPoll';
import { EntityMapping } from './EntityMapping';
import { fullReconcile } from './fullReconcile';
import { MutationSender } from './MutationSender';
import { ProviderState } from './ProviderState';
import { Retention } from './Retention';
import type {
  MachineIdentityEntityProviderOptions,
  ProviderParts,
  ProviderRunSummary,
} from './types';

export type { EntityMapper, MachineIdentityEntityProviderOptions, ProviderRunSummary } from './types';

const MAX_FEED_PAGE = 1000;
const DEFAULT_ORDER_WINDOW = 10_000;

/**
 * Mirrors the machine-identity backend's inventory into the catalog as
 * MachineIdentity entities. {@link MachineIdentityEntityProvider.poll} reads
 * the change feed from the last sequence seen and applies delta mutations
 * for those changes only (`deltaPoll.ts`), so an unchanged inventory mutates
 * nothing. {@link MachineIdentityEntityProvider.reconcile} reads the whole
 * feed and repairs drift (`fullReconcile.ts`), refusing to remove a mass of
 * entities when the feed failed or came back empty (`removalGuard.ts`).
 * State (`ProviderState.ts`: last sequence, what was applied) lives in memory
 * and is rebuilt by a reconcile on start. Polls and reconciles never overlap.
 */
export class MachineIdentityEntityProvider implements EntityProvider {
  private readonly parts: ProviderParts;
  private running: Promise<unknown> = Promise.resolve();

  static create(options: MachineIdentityEntityProviderOptions): MachineIdentityEntityProvider {
    return new MachineIdentityEntityProvider(options);
  }

  private constructor(options: MachineIdentityEntityProviderOptions) {
    const batchSize = options.batchSize ?? 1000;
    const now = options.now ?? Date.now;
    this.parts = {
      feed: options.feed,
      lister: options.lister,
      logger: options.logger,
      state: new ProviderState(),
      mapping: new EntityMapping(options.namespace ?? DEFAULT_NAMESPACE, options.logger, options.toEntity),
      retention: new Retention(options.retentionMs, now),
      sender: new MutationSender(batchSize),
      pageSize: Math.min(batchSize, MAX_FEED_PAGE),
      orderWindow: options.orderWindow ?? DEFAULT_ORDER_WINDOW,
      guard: {
        maxShare: options.removalGuardMaxShare ?? 0.5,
        minCount: options.removalGuardMinCount ?? 100,
      },
      now,
    };
  }

  getProviderName(): string {
    return 'MachineIdentityEntityProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.parts.sender.connect(connection);
  }

  /** Totals since start: mutations applied and entities added/removed. */
  getTotals(): { mutations: number; added: number; removed: number } {
    return this.parts.sender.getTotals();
  }

  /** Entities the provider believes are in the catalog. */
  get size(): number {
    return this.parts.state.applied.size;
  }

  /**
   * Applies the changes since the last sequence seen, then removes gone and
   * revoked identities whose retention ended. Reconciles instead while the
   * provider has not reconciled once since start.
   */
  poll(): Promise<ProviderRunSummary> {
    return this.exclusive(() =>
      this.parts.state.initialized ? deltaPoll(this.parts) : fullReconcile(this.parts),
    );
  }

  /** Reads the whole feed and makes the catalog match it, under the mass-removal guard. */
  reconcile(): Promise<ProviderRunSummary> {
    return this.exclusive(() => fullReconcile(this.parts));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }
}
