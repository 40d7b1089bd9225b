import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { IdentityChange } from '@keyring/plugin-machine-identity-common';
import type { CatalogEntityLister } from './CatalogEntityLister';
import type { ChangeFeedClient } from './ChangeFeedClient';
import type { EntityMapping } from './EntityMapping';
import type { MutationSender } from './MutationSender';
import type { ProviderState } from './ProviderState';
import type { RemovalGuardLimits } from './removalGuard';
import type { Retention } from './Retention';

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
  /**
   * Feed items gathered before they are sent, grouped by owner and component
   * (default 10,000; 0 sends each feed page as it comes, in feed order). A
   * Group's identities then reach the catalog together, so the Group is
   * re-stitched a few times per window rather than throughout an ingestion.
   */
  orderWindow?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
  /**
   * How a change becomes its entity, given the entity's name and namespace
   * (default `identityToEntity` from -common). The result is validated against
   * the kind's schema before it is sent. Lets a benchmark compare entity shapes.
   */
  toEntity?: EntityMapper;
}

/** Maps a change feed item to its entity; see {@link MachineIdentityEntityProviderOptions.toEntity}. */
export type EntityMapper = (
  change: IdentityChange,
  target: { name: string; namespace: string },
) => Entity;

/** An empty summary of a run of `kind`. */
export function emptyRunSummary(kind: ProviderRunSummary['kind']): ProviderRunSummary {
  return {
    kind, feedItems: 0, mutations: 0, added: 0, removed: 0,
    refusedRemovals: 0, skipped: 0, complete: true,
  };
}

/** The collaborators a poll or reconcile works with. */
export interface ProviderParts {
  feed: ChangeFeedClient;
  lister?: CatalogEntityLister;
  logger: LoggerService;
  state: ProviderState;
  mapping: EntityMapping;
  retention: Retention;
  sender: MutationSender;
  /** Feed page size: the backend answers at most 1,000 changes a page. */
  pageSize: number;
  /** See {@link MachineIdentityEntityProviderOptions.orderWindow}. */
  orderWindow: number;
  guard: RemovalGuardLimits;
  now: () => number;
}
