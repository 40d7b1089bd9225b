import type { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import type {
  MachineIdentityEntityFacts,
  MachineIdentityService,
} from '@keyring/plugin-machine-identity-node';
import {
  MACHINE_IDENTITY_FACT_RETRIEVER_ID,
  machineIdentityFactSchema,
} from './factSchema';

/** Entities read from the catalog per page, and asked of Keyring per call. */
const PAGE = 500;

/** The flat Tech Insights facts of one entity. */
export function toTechInsightsFacts(facts: MachineIdentityEntityFacts): TechInsightFact['facts'] {
  const values: TechInsightFact['facts'] = {
    identitiesTotal: facts.identitiesTotal,
    tlsCertificates: facts.byType['tls-certificate'],
    sshKeys: facts.byType['ssh-key'],
    apiTokens: facts.byType['api-token'],
    serviceAccounts: facts.byType['service-account'],
    workloadIdentities: facts.byType['workload-identity'],
    secrets: facts.byType.secret ?? 0,
    errorViolations: facts.violationsBySeverity.error,
    warningViolations: facts.violationsBySeverity.warning,
    infoViolations: facts.violationsBySeverity.info,
    expiredCredentials: facts.expired,
    expiringWithin7Days: facts.expiringWithin7Days,
    expiringWithin30Days: facts.expiringWithin30Days,
    automatedShare: facts.automatedShare,
    orphanedIdentities: facts.orphaned,
    readiness47DayShare: facts.readiness47DayShare,
  };
  // Unknown stays absent: the checks reading it are skipped rather than passed or failed.
  if (facts.reviewCompletedThisQuarter !== undefined) {
    values.reviewCompletedThisQuarter = facts.reviewCompletedThisQuarter;
  }
  if (facts.revocationsOpenPastDue !== undefined) {
    values.revocationsOpenPastDue = facts.revocationsOpenPastDue;
  }
  return values;
}

/**
 * Keyring's fact retriever: every Component and Group in the catalog, with
 * facts computed by the machine-identity plugin (`machineIdentityServiceRef`),
 * one page of entities per call.
 */
export function createMachineIdentityFactRetriever(options: {
  service: MachineIdentityService;
  catalog: CatalogService;
  auth: AuthService;
}): FactRetriever {
  const { service, catalog, auth } = options;
  return {
    id: MACHINE_IDENTITY_FACT_RETRIEVER_ID,
    version: '0.1.0',
    title: 'Machine identities',
    description:
      'Machine identity compliance of Components and Groups from Keyring: counts by type, violations by severity, expiry, automation, orphans, reviews, revocations and 47-day readiness',
    entityFilter: [{ kind: ['component', 'group'] }],
    schema: machineIdentityFactSchema,
    async handler({ logger }) {
      const started = Date.now();
      const credentials = await auth.getOwnServiceCredentials();
      const facts: TechInsightFact[] = [];
      let cursor: string | undefined;
      do {
        const page = await catalog.queryEntities(
          cursor
            ? { cursor, limit: PAGE }
            : {
                filter: { kind: ['component', 'group'] },
                fields: ['kind', 'metadata.namespace', 'metadata.name'],
                limit: PAGE,
              },
          { credentials },
        );
        const refs = page.items.map(entity => stringifyEntityRef(entity));
        if (refs.length > 0) {
          const now = new Date();
          for (const entityFacts of await service.getEntityFacts(refs, { now })) {
            const { kind, namespace, name } = parseEntityRef(entityFacts.entityRef);
            facts.push({ entity: { kind, namespace, name }, facts: toTechInsightsFacts(entityFacts) });
          }
        }
        cursor = page.pageInfo.nextCursor;
      } while (cursor);
      logger.info(
        `Computed machine identity facts for ${facts.length.toLocaleString('en-US')} Components and Groups in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
      return facts;
    },
  };
}
