import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { InventoryStores } from '../database/types';
import { readComponentIndex } from './CatalogComponentReader';
import type { OwnershipResolver } from './OwnershipResolver';
import { reresolveOwnership } from './reresolveOwnership';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Keeps ownership in step with the catalog: reads Components into the
 * resolver, re-resolves the whole inventory and re-evaluates policies of the
 * identities whose ownership changed (so `any.orphan` opens and resolves).
 * Tracks whether a re-resolution has run against a non-empty catalog yet, so
 * a fresh portal whose first scans ran before catalog ingestion can catch up
 * as soon as Components appear.
 */
export class OwnershipRefresher {
  private caughtUp = false;

  private constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      stores: InventoryStores;
      resolver: OwnershipResolver;
      evaluate: (ids: string[]) => Promise<unknown>;
    },
  ) {}

  /** Creates the refresher; `evaluate` re-evaluates policies of the given identities. */
  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    stores: InventoryStores;
    resolver: OwnershipResolver;
    evaluate: (ids: string[]) => Promise<unknown>;
  }): OwnershipRefresher {
    return new OwnershipRefresher(options);
  }

  /** Whether a re-resolution has run with Components from the catalog. */
  get hasCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Reads Components into the resolver; keeps the previous index when the catalog fails. */
  async refreshComponents(): Promise<void> {
    const { catalog, auth, logger, resolver } = this.options;
    try {
      resolver.setIndex(await readComponentIndex({ catalog, auth, logger }));
    } catch (error) {
      logger.warn(`Could not read Components from the catalog, keeping the previous index: ${error}`);
    }
  }

  /**
   * Re-reads the catalog, re-resolves every identity and re-evaluates the
   * policies of those whose ownership changed. Returns their ids.
   */
  async reresolve(): Promise<string[]> {
    const { stores, resolver, logger, evaluate } = this.options;
    const started = Date.now();
    await this.refreshComponents();
    const withComponents = resolver.getIndex().size > 0;
    const changed = await reresolveOwnership(stores, resolver.resolve, new Date().toISOString());
    if (changed.length > 0) {
      await evaluate(changed);
    }
    if (withComponents) {
      this.caughtUp = true;
    }
    logger.info(
      `Re-resolved ownership against ${fmt(resolver.getIndex().size)} catalog Components: ${fmt(changed.length)} identities changed owner or Component, their policies re-evaluated, in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    return changed;
  }

  /**
   * Re-resolves only these identities against the Components already read
   * (no catalog read, no pass over the inventory) and re-evaluates the
   * policies of those whose ownership changed; for decisions that move a few
   * identities, such as an accepted reassignment. Returns the changed ids.
   */
  async reresolveIdentities(ids: string[]): Promise<string[]> {
    const { stores, resolver, logger, evaluate } = this.options;
    const changed = await reresolveOwnership(stores, resolver.resolve, new Date().toISOString(), { ids });
    if (changed.length > 0) {
      await evaluate(changed);
    }
    logger.info(`Re-resolved ownership of ${fmt(ids.length)} identities: ${fmt(changed.length)} changed owner or Component`);
    return changed;
  }

  /**
   * The catch-up step, run often until it has done its job once: while no
   * re-resolution has seen Components, checks whether the catalog now has
   * some and, if so, re-resolves. Returns whether it re-resolved.
   */
  async catchUp(): Promise<boolean> {
    if (this.caughtUp) {
      return false;
    }
    await this.refreshComponents();
    if (this.options.resolver.getIndex().size === 0) {
      return false;
    }
    await this.reresolve();
    return true;
  }
}
