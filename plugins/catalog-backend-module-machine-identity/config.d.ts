import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  machineIdentity?: {
    /** How Keyring's inventory is mirrored into the catalog as MachineIdentity entities. */
    catalog?: {
      /**
       * How long gone and revoked identities stay in the catalog (with their
       * status) after their state changed. Default 30 days.
       */
      retention?: HumanDuration;
      /**
       * Delta poll of the machine-identity change feed. Each run applies only
       * the changes since the last one. Default every 30 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Full reconcile of the catalog against the whole inventory (repairs
       * drift, removes what the inventory no longer has). Default every 6 hours,
       * and on start.
       */
      reconcileSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Entities per catalog mutation (1–10000; feed pages hold at most 1000). Default 1000. */
      batchSize?: number;
      /**
       * A reconcile never removes more than `maxShare` (0–1, default 0.5) of the
       * provider's entities when that is also more than `minCount` (default 100),
       * and removes nothing when the feed failed or came back empty; it logs a
       * warning instead.
       */
      removalGuard?: {
        maxShare?: number;
        minCount?: number;
      };
      /** Catalog namespace of the MachineIdentity entities. Default `default`. */
      namespace?: string;
      /**
       * Whether the processor also emits the owner-side relations: `ownerOf`
       * from the owning Group and `dependsOn` from the Component. Default true
       * (both directions). Set false for large inventories: only `ownedBy` and
       * `dependencyOf` (whose source is the identity) are emitted, so the
       * catalog no longer re-stitches a Group or Component for every identity
       * it owns or uses; their entities then do not list their machine
       * identities in `relations` (the `relations.ownedBy` and
       * `relations.dependencyOf` filters on the identities still find them).
       * Set it the same on every catalog replica.
       */
      ownerSideRelations?: boolean;
      /**
       * Feed items gathered and sent grouped by owner and component before
       * the cursor moves on (default 10,000; 0 sends each feed page in feed
       * order). A Group's identities then reach the catalog together, so the
       * Group is re-stitched a few times per window rather than throughout an
       * ingestion; a larger window groups better and holds more entities in
       * memory during a poll or reconcile.
       */
      orderWindow?: number;
    };
  };
}
