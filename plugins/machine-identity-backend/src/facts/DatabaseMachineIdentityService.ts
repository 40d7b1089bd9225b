import type { Knex } from 'knex';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  IDENTITY_TYPES,
  type IdentityType,
} from '@keyring/plugin-machine-identity-common';
import type {
  MachineIdentityEntityFacts,
  MachineIdentityService,
} from '@keyring/plugin-machine-identity-node';
import { type EntityColumn, type IdentityCounts, IdentityFactsQuery } from './IdentityFactsQuery';
import { GovernanceFactsQuery } from './GovernanceFactsQuery';

const EMPTY_COUNTS: IdentityCounts = {
  total: 0,
  byType: Object.fromEntries(IDENTITY_TYPES.map(t => [t, 0])) as Record<IdentityType, number>,
  expired: 0,
  expiringWithin7Days: 0,
  expiringWithin30Days: 0,
  automated: 0,
  orphaned: 0,
  readyCertificates: 0,
};

/**
 * The `MachineIdentityService` the machine-identity plugin provides to other
 * backend plugins: per-entity facts read straight from its own tables.
 */
export class DatabaseMachineIdentityService implements MachineIdentityService {
  private constructor(
    private readonly identities: IdentityFactsQuery,
    private readonly governance: GovernanceFactsQuery,
  ) {}

  /** A service over the plugin's knex client (migrations already ran). */
  static create(db: Knex): DatabaseMachineIdentityService {
    return new DatabaseMachineIdentityService(
      IdentityFactsQuery.create(db),
      GovernanceFactsQuery.create(db),
    );
  }

  async getEntityFacts(
    entityRefs: string[],
    options?: { now?: Date },
  ): Promise<MachineIdentityEntityFacts[]> {
    const now = options?.now ?? new Date();
    const normalized = entityRefs.map(normalizeEntityRef);
    const byColumn: Record<EntityColumn, string[]> = { component: [], owner: [] };
    for (const { column, ref } of normalized) {
      byColumn[column].push(ref);
    }
    const [components, owners, componentViolations, ownerViolations, revocations] =
      await Promise.all([
        this.identities.countIdentities('component', byColumn.component, now),
        this.identities.countIdentities('owner', byColumn.owner, now),
        this.identities.countViolations('component', byColumn.component),
        this.identities.countViolations('owner', byColumn.owner),
        this.governance.revocationsOpenPastDue(byColumn, now),
      ]);
    const liveByComponent = new Map([...components].map(([ref, counts]) => [ref, counts.total]));
    const reviews = await this.governance.reviewsCompletedThisQuarter(byColumn, now, liveByComponent);

    return normalized.map(({ column, ref }, index) => {
      const counts =
        (column === 'component' ? components : owners).get(ref) ?? EMPTY_COUNTS;
      const violations =
        (column === 'component' ? componentViolations : ownerViolations).get(ref) ?? {};
      const tls = counts.byType['tls-certificate'];
      const facts: MachineIdentityEntityFacts = {
        entityRef: entityRefs[index],
        identitiesTotal: counts.total,
        byType: { ...counts.byType },
        violationsBySeverity: {
          error: violations.error ?? 0,
          warning: violations.warning ?? 0,
          info: violations.info ?? 0,
        },
        expired: counts.expired,
        expiringWithin7Days: counts.expiringWithin7Days,
        expiringWithin30Days: counts.expiringWithin30Days,
        automated: counts.automated,
        automatedShare: counts.total ? counts.automated / counts.total : 1,
        orphaned: counts.orphaned,
        readiness47DayCertificates: counts.readyCertificates,
        readiness47DayShare: tls ? counts.readyCertificates / tls : 1,
      };
      const reviewed = reviews?.get(`${column}|${ref}`);
      if (reviews) {
        facts.reviewCompletedThisQuarter = reviewed ?? false;
      }
      if (revocations) {
        facts.revocationsOpenPastDue = revocations.get(`${column}|${ref}`) ?? 0;
      }
      return facts;
    });
  }
}

function normalizeEntityRef(ref: string): { column: EntityColumn; ref: string } {
  let parsed;
  try {
    parsed = parseEntityRef(ref);
  } catch (error) {
    throw new InputError(`Invalid entity ref "${ref.slice(0, 200)}": ${error}`);
  }
  const kind = parsed.kind.toLocaleLowerCase('en-US');
  if (kind !== 'component' && kind !== 'group') {
    throw new InputError(
      `Machine identity facts exist for Components and Groups, not "${ref.slice(0, 200)}"`,
    );
  }
  return {
    column: kind === 'component' ? 'component' : 'owner',
    ref: stringifyEntityRef(parsed).toLowerCase(),
  };
}
