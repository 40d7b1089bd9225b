import type { FactSchema } from '@backstage-community/plugin-tech-insights-common';

/** Id of Keyring's fact retriever (also its config key under `techInsights.factRetrievers`). */
export const MACHINE_IDENTITY_FACT_RETRIEVER_ID = 'machineIdentityFactRetriever';

const integer = (description: string) => ({ type: 'integer' as const, description });
const float = (description: string) => ({ type: 'float' as const, description });

/**
 * The facts Keyring publishes per Component and Group, over live identities
 * (active, pending revocation). Shares are 0–1.
 */
export const machineIdentityFactSchema: FactSchema = {
  identitiesTotal: integer('Live machine identities'),
  tlsCertificates: integer('Live TLS certificates'),
  sshKeys: integer('Live SSH keys'),
  apiTokens: integer('Live API tokens'),
  serviceAccounts: integer('Live service accounts'),
  workloadIdentities: integer('Live workload identities'),
  secrets: integer('Live secrets (stored credentials known by fingerprint only)'),
  errorViolations: integer('Open error-severity policy violations'),
  warningViolations: integer('Open warning-severity policy violations'),
  infoViolations: integer('Open info-severity policy violations'),
  expiredCredentials: integer('Identities past their notAfter'),
  expiringWithin7Days: integer('Identities expiring within 7 days (not yet expired)'),
  expiringWithin30Days: integer('Identities expiring within 30 days (not yet expired)'),
  automatedShare: float('Share of identities with automated renewal (1 when there are none)'),
  orphanedIdentities: integer('Identities with no owner or only the fallback owner'),
  readiness47DayShare: float(
    'Share of TLS certificates automated and renewed with at least a third of their lifetime left (1 when there are none)',
  ),
  reviewCompletedThisQuarter: {
    type: 'boolean',
    description: 'An ownership review covering the entity was completed this calendar quarter (absent when unknown)',
  },
  revocationsOpenPastDue: integer('Open revocation requests past their due date (absent when unknown)'),
};
