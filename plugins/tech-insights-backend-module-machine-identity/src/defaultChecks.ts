import {
  JSON_RULE_ENGINE_CHECK_TYPE,
  type TechInsightJsonRuleCheck,
} from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import { MACHINE_IDENTITY_FACT_RETRIEVER_ID } from './factSchema';

/** Which identities a failing check is about, as filters of Keyring's identity list. */
export interface MachineIdentityCheckMetadata {
  /** Query string for the entity's "Machine identities" tab, e.g. `violating=true`. */
  identityFilter?: string;
  /** The fact whose value explains the result, shown beside it. */
  reasonFact: string;
}

type Row = [
  id: string,
  name: string,
  description: string,
  condition: { fact: string; operator: string; value: unknown },
  identityFilter?: string,
];

const ROWS: Row[] = [
  ['no-expired', 'No expired credential', 'No live machine identity is past its expiry date.', { fact: 'expiredCredentials', operator: 'equal', value: 0 }, 'state=active&expiresWithinDays=0'],
  ['none-expiring-7-days', 'Nothing expiring within 7 days', 'No live machine identity expires within the next 7 days.', { fact: 'expiringWithin7Days', operator: 'equal', value: 0 }, 'state=active&expiresWithinDays=7'],
  ['no-error-violations', 'No error-severity violation', 'No live machine identity breaks an error-severity policy rule.', { fact: 'errorViolations', operator: 'equal', value: 0 }, 'violating=true'],
  ['no-orphans', 'No orphaned identity', 'Every live machine identity has an owner other than the fallback owner.', { fact: 'orphanedIdentities', operator: 'equal', value: 0 }],
  ['review-this-quarter', 'Ownership review done this quarter', 'An ownership review covering these identities was completed in the current calendar quarter.', { fact: 'reviewCompletedThisQuarter', operator: 'equal', value: true }],
  ['automated-80', 'At least 80 % automated', 'At least 80 % of live machine identities renew automatically.', { fact: 'automatedShare', operator: 'greaterThanInclusive', value: 0.8 }],
  ['no-overdue-revocations', 'No open revocation past due', 'No revocation request of these identities is open past its due date.', { fact: 'revocationsOpenPastDue', operator: 'equal', value: 0 }],
];

/**
 * Keyring's default scorecard: a check per policy outcome an owner can act
 * on, so Tech Insights scores machine identities without hand-written rules.
 * Ids are stable (`machine-identity-…`); config may replace any of them.
 */
export const defaultMachineIdentityChecks: TechInsightJsonRuleCheck[] = ROWS.map(
  ([id, name, description, condition, identityFilter]) => {
    const keyring: MachineIdentityCheckMetadata = { reasonFact: condition.fact };
    if (identityFilter) {
      keyring.identityFilter = identityFilter;
    }
    return {
      id: `machine-identity-${id}`,
      type: JSON_RULE_ENGINE_CHECK_TYPE,
      name,
      description,
      factIds: [MACHINE_IDENTITY_FACT_RETRIEVER_ID],
      metadata: { keyring },
      rule: { conditions: { all: [condition] } },
    };
  },
);
