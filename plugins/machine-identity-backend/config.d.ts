import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** Keyring: machine identity inventory, scans, policies and reviews. */
  machineIdentity?: {
    /**
     * Group that owns identities no rule could attribute (orphans), e.g.
     * `group:default/security`.
     */
    fallbackOwner?: string;
    /**
     * Server-side HMAC key that identifies token values without keeping them.
     * Required when NODE_ENV=production (the backend refuses to start without
     * it); elsewhere, without it a random key is generated once and kept in
     * the database.
     * @visibility secret
     */
    tokenHashKey?: string;
    /**
     * Discovery sources. Each is scanned by the module serving its `type`
     * (TLS module: `tls`, `certificate-files`; SSH module: `ssh-files`,
     * `ssh-hosts`; then `kubernetes`, `aws-iam`).
     */
    sources?: Array<{
      /** Unique kebab-case source id. */
      id: string;
      /** `tls` | `certificate-files` | `ssh-files` | `ssh-hosts` | `kubernetes` | `aws-iam`. */
      type: string;
      /**
       * When the source is scanned; default every 6 hours with a 30-minute
       * timeout, first run 30 seconds after start.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Shards of one run (integer 1–256, default 1): each is its own
       * scheduler task (`machine-identity-scan:<id>#<i>`), so replicas on one
       * database scan them in parallel; the scanner scans a stable-hash share
       * of its endpoints, hosts, files or namespaces per shard. Identities are
       * retired only when every shard of the run finished and succeeded.
       */
      shards?: number;
      /**
       * Shards of one run of this source a replica runs at once (default 1).
       * A replica already running that many hands a further shard back to the
       * scheduler (its task is triggered again a second later), so an idle
       * replica takes it; a single replica runs them one after another.
       */
      shardsPerReplica?: number;
      /* Each scanner module's config.d.ts declares the keys of its source types (targets, paths, …). */
    }>;
    /** Retirement of identities a complete scan no longer sees (only where the scanner has positive evidence). */
    retirement?: {
      /**
       * Largest share (0–1) of a source's active identities one run may retire;
       * a run that would retire more retires nothing until the next run of the
       * source confirms it. Default 0.1.
       */
      maxShare?: number;
    };
    /**
     * Overrides of the default policies (docs/architecture.md, "Policy"). The
     * core's thresholds are here; each module declares its own
     * (`policies.tls` in the TLS module, `policies.ssh` in the SSH module).
     */
    policies?: {
      token?: {
        /** Maximum token lifetime in days. */
        maxLifetimeDays?: number;
        /** Days without use after which a token is flagged. */
        unusedDays?: number;
        /** Days without use after which an active token gets the disable advice (CIS: 45). */
        disableUnusedDays?: number;
        /** Days after which a static key without expiry must have been rotated (default 90). */
        maxKeyAgeDays?: number;
        /** `storage` values that count as a secrets manager. */
        allowedStorage?: string[];
        /** Scopes broader than any single workload needs. */
        broadScopes?: string[];
      };
      serviceAccount?: {
        /** Naming template, e.g. `svc-{team}-{purpose}`. */
        namingPattern?: string;
        /** Regular expression replacing `namingPattern`. */
        namingRegex?: string;
        /** Names the naming rule ignores. */
        namingExemptions?: string[];
      };
      /** Rule ids switched off. */
      disabledRules?: string[];
      /** Per-rule enablement, scope and severity. */
      rules?: Array<{
        /** Rule id, e.g. `tls.validity` (core or installed module). */
        id: string;
        enabled?: boolean;
        types?: string[];
        owners?: string[];
        tags?: string[];
        excludeOwners?: string[];
        excludeTags?: string[];
        /** `error` | `warning` | `info`. */
        severity?: string;
      }>;
    };
    /** Ownership resolution against catalog Components. */
    ownership?: {
      /**
       * When the whole inventory is re-resolved (and policies of identities
       * whose owner changed re-evaluated); default every 30 minutes with a
       * 15-minute timeout, first run 20 seconds after start.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /** Ownership reviews: one campaign per owning Group, attested by its members. */
    reviews?: {
      /** How often each identity's ownership must be attested (default 3 months): a Group's next campaign opens this long after its last. */
      every?: HumanDuration;
      /** How long a campaign has before it is overdue (default 30 days). */
      dueIn?: HumanDuration;
      /** `false`: no scheduled campaigns (admins may still open them); overdue checks still run. */
      enabled?: boolean;
      /**
       * `true`: campaigns opened from now on need a second, different member of
       * the owning Group to confirm each privileged identity (admin roles such
       * as Kubernetes cluster-admin or AWS administrator policies — the
       * scanners' `privileged` attribute — and SSH keys that log in as root);
       * the first confirmation alone does not count. Default false.
       */
      requireSecondReviewer?: boolean;
      /**
       * When the reviews task checks for Groups due a campaign and for overdue
       * campaigns; default hourly with a 15-minute timeout, first run 2 minutes after start.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /** Expiry digest notifications to owners. */
    notifications?: {
      /** `false` switches digests off. */
      enabled?: boolean;
      /** When digests are sent. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Lowest severity included: `error` | `warning` | `info`. */
      minSeverity?: string;
      /** Most violations listed per digest. */
      maxItems?: number;
      /**
       * Identities this many days or fewer from expiry (or expired) whose
       * violations were already in an earlier digest escalate (default 7).
       */
      escalationDays?: number;
      /** Group notified of escalations besides the owner, e.g. `group:default/security`. */
      escalationGroup?: string;
      /** Frontend path of the overview page linked from notifications. */
      overviewPath?: string;
    };
    /** The revocation workflow: retired Components → approved, executed, verified revocations. */
    revocation?: {
      /** `spec.lifecycle` values that retire a Component (default `['decommissioned']`), e.g. also `deprecated`. */
      lifecycles?: string[];
      /**
       * How long a Component linked to identities must be missing from the
       * catalog before its credentials are requested for revocation (default
       * one day), so a catalog hiccup revokes nothing.
       */
      removalGracePeriod?: HumanDuration | string;
      /** Wait between approval and execution (default none). */
      executionGracePeriod?: HumanDuration | string;
      /** A request not approved within this time expires (default seven days). */
      approvalTimeout?: HumanDuration | string;
      /** Catalog watch, execution and expiry pass (default every 5 minutes). */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /** The MachineIdentity catalog entity provider. */
    catalog?: {
      /** How long gone/revoked identities stay in the catalog. */
      retention?: HumanDuration;
      /** Change-feed page size. */
      batchSize?: number;
      /** Refuses to remove a mass of entities at once. */
      removalGuard?: { maxShare?: number; minCount?: number };
      /** How often the change feed is read. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How often the full reconcile runs. */
      reconcileSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Namespace of MachineIdentity entities. */
      namespace?: string;
    };
  };
}
