import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type {
  IdentityType,
  Severity,
} from '@keyring/plugin-machine-identity-common';

/**
 * Compliance figures of one Component or Group, over its live identities
 * (states `active` and `pending-revocation`). A Component counts the
 * identities attached to it; a Group the identities it owns directly.
 */
export interface MachineIdentityEntityFacts {
  /** `component:default/payments-api` or `group:default/payments`. */
  entityRef: string;
  identitiesTotal: number;
  byType: Record<IdentityType, number>;
  /** Open violations of the entity's live identities, by severity. */
  violationsBySeverity: Record<Severity, number>;
  /** notAfter already passed. */
  expired: number;
  /** notAfter within the next 7 days (not yet expired). */
  expiringWithin7Days: number;
  /** notAfter within the next 30 days (not yet expired). */
  expiringWithin30Days: number;
  /** Identities whose rotation is automated. */
  automated: number;
  /** automated / identitiesTotal; 1 when there are no identities (nothing to automate). */
  automatedShare: number;
  /** Identities with no owner, or held only by the fallback owner. */
  orphaned: number;
  /**
   * TLS certificates that are automated and have at least a third of their
   * lifetime (notBefore → notAfter) left: they renew early enough for the
   * 47-day lifetimes CA/B Forum SC-081 phases in by 2029.
   */
  readiness47DayCertificates: number;
  /** readiness47DayCertificates / TLS certificates; 1 when there are none. */
  readiness47DayShare: number;
  /**
   * Whether an ownership review covering this entity was completed in the
   * current calendar quarter (UTC). Absent when the installed backend keeps
   * no review campaigns (unknown, not false).
   */
  reviewCompletedThisQuarter?: boolean;
  /**
   * Open revocation requests of the entity's identities past their due date.
   * Absent when the installed backend keeps no revocation requests.
   */
  revocationsOpenPastDue?: number;
}

/**
 * What Keyring's backend offers other backend plugins (Tech Insights fact
 * retrievers, custom reports): read-only figures computed inside Keyring
 * from its own database, not over HTTP.
 */
export interface MachineIdentityService {
  /**
   * Facts for each given Component or Group ref, in the same order. Refs of
   * other kinds are rejected with an InputError.
   */
  getEntityFacts(
    entityRefs: string[],
    options?: { now?: Date },
  ): Promise<MachineIdentityEntityFacts[]>;
}

/**
 * The hand-over point between the machine-identity plugin and its
 * consumers: the plugin `provide`s its implementation at init; consumers
 * call `service`, whose calls wait until it is provided.
 */
export interface MachineIdentityServiceRegistry {
  provide(implementation: MachineIdentityService): void;
  readonly service: MachineIdentityService;
}

/** A registry whose `service` waits for `provide`, up to `timeoutMs`. */
export class DeferredMachineIdentityService implements MachineIdentityServiceRegistry {
  private implementation?: MachineIdentityService;
  private readonly provided: Promise<MachineIdentityService>;
  private resolve!: (implementation: MachineIdentityService) => void;

  constructor(private readonly timeoutMs = 60_000) {
    this.provided = new Promise(resolve => {
      this.resolve = resolve;
    });
  }

  provide(implementation: MachineIdentityService): void {
    if (this.implementation) {
      throw new Error('The machine identity service was already provided');
    }
    this.implementation = implementation;
    this.resolve(implementation);
  }

  readonly service: MachineIdentityService = {
    getEntityFacts: async (entityRefs, options) =>
      (await this.ready()).getEntityFacts(entityRefs, options),
  };

  private async ready(): Promise<MachineIdentityService> {
    if (this.implementation) {
      return this.implementation;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ServiceUnavailableError(
              `The machine-identity backend plugin did not provide its service within ${this.timeoutMs} ms; is @keyring/plugin-machine-identity-backend installed in this backend?`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.provided, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The registry behind `machineIdentityServiceRef`. Root-scoped, so the
 * machine-identity plugin and every consumer plugin share one instance.
 * Only the machine-identity plugin calls `provide`.
 */
export const machineIdentityServiceRegistryRef =
  createServiceRef<MachineIdentityServiceRegistry>({
    id: 'machine-identity.service-registry',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => new DeferredMachineIdentityService(),
      }),
  });

/**
 * Keyring's service for other backend plugins. Root-scoped: plugin-scoped
 * databases differ per plugin, so a consumer cannot open Keyring's tables
 * itself; the machine-identity plugin hands over its implementation through
 * `machineIdentityServiceRegistryRef` and calls wait for it.
 */
export const machineIdentityServiceRef = createServiceRef<MachineIdentityService>({
  id: 'machine-identity.service',
  scope: 'root',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { registry: machineIdentityServiceRegistryRef },
      factory: ({ registry }) => registry.service,
    }),
});
