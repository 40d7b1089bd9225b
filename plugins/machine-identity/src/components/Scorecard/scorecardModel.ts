import type { CheckDefinition, CheckResultItem } from './TechInsightsChecksClient';

/** One line of a scorecard. */
export interface ScorecardRow {
  id: string;
  name: string;
  description: string;
  /** `unknown`: Tech Insights has no fact for it yet (or the backend keeps no such records). */
  status: 'pass' | 'fail' | 'unknown';
  /** Why, in words: the fact behind the result. */
  reason: string;
  /** Query for the entity's "Machine identities" tab listing the identities concerned. */
  identityFilter?: string;
}

const percent = (v: number) => `${Math.round(v * 1000) / 10} %`;

/** The fact value behind a result, in words. */
export function describeFact(fact: string, value: unknown): string {
  if (value === undefined || value === null) return 'No data yet';
  if (typeof value === 'boolean') {
    return fact === 'reviewCompletedThisQuarter'
      ? value ? 'Review completed this quarter' : 'No review completed this quarter'
      : String(value);
  }
  const shares: Record<string, string> = {
    automatedShare: 'automated',
    readiness47DayShare: 'of certificates ready for 47-day lifetimes',
  };
  if (typeof value === 'number' && /Share$/.test(fact)) return `${percent(value)} ${shares[fact] ?? fact}`;
  const labels: Record<string, [one: string, many: string]> = {
    expiredCredentials: ['expired', 'expired'],
    expiringWithin7Days: ['expiring within 7 days', 'expiring within 7 days'],
    errorViolations: ['error-severity violation', 'error-severity violations'],
    orphanedIdentities: ['orphaned', 'orphaned'],
    revocationsOpenPastDue: ['revocation past due', 'revocations past due'],
  };
  const [one, many] = labels[fact] ?? [fact, fact];
  return `${value} ${value === 1 ? one : many}`;
}

/** Scorecard rows for every Keyring check: its result, or `unknown` when it did not run. */
export function toScorecardRows(checks: CheckDefinition[], results: CheckResultItem[]): ScorecardRow[] {
  const byId = new Map(results.map(r => [r.check.id, r]));
  return checks.map(check => {
    const result = byId.get(check.id);
    const keyring = (result?.check.metadata ?? check.metadata)?.keyring;
    const fact = keyring?.reasonFact;
    const row: ScorecardRow = {
      id: check.id,
      name: check.name,
      description: check.description,
      status: result ? (result.result ? 'pass' : 'fail') : 'unknown',
      reason: result && fact ? describeFact(fact, result.facts[fact]?.value) : 'No data yet',
    };
    if (row.status === 'fail' && keyring?.identityFilter) row.identityFilter = keyring.identityFilter;
    return row;
  });
}

/** A Component of a Group with its scorecard. */
export interface RankedEntity {
  entityRef: string;
  title: string;
  rows: ScorecardRow[];
  failed: number;
  unknown: number;
}

/** Worst first: most failed checks, then most unknown, then by name. */
export function rankWorstFirst(entities: RankedEntity[]): RankedEntity[] {
  return [...entities].sort(
    (a, b) => b.failed - a.failed || b.unknown - a.unknown || a.title.localeCompare(b.title),
  );
}
