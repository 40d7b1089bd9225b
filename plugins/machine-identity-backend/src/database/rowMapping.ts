import type {
  HistoryEvent,
  Identity,
  IdentityAttributes,
  IdentityChange,
  Observation,
  ScanRun,
  Violation,
} from '@keyring/plugin-machine-identity-common';
import type { ViolationListItem } from './types';

/** The `identities` row as stored (snake_case). */
export interface IdentityRow {
  id: string;
  type: string;
  fingerprint_sha256: string;
  display_name: string;
  subject: string | null;
  attributes: string;
  not_after: string | null;
  owner: string | null;
  component: string | null;
  ownership_rule: string;
  ownership_via: string | null;
  owner_hint: string | null;
  links: string | null;
  /** `[host, account]` pairs of SSH sightings, JSON (ownership matching). */
  ssh_logins: string | null;
  review_owner: string | null;
  review_component: string | null;
  state: string;
  state_changed_at: string;
  management: string;
  first_seen: string;
  last_seen: string;
  change_seq: number | string;
  observation_count: number | string;
  violation_count: number | string;
  review_status: string;
}

/** The `observations` row as stored. */
export interface ObservationRow {
  identity_id: string;
  source_id: string;
  location: string;
  first_seen: string;
  last_seen: string;
  last_scan_id: string;
  gone_at: string | null;
  details: string | null;
}

/** The `scan_runs` row as stored. */
export interface ScanRunRow {
  id: string;
  source_id: string;
  status: string;
  trigger: string;
  claimed_at: string | null;
  started_at: string;
  finished_at: string | null;
  seen: number;
  added: number;
  retired: number;
  progress_done: number | null;
  progress_total: number | null;
  error_count: number;
  errors: string;
}

/** The `violations` row as stored. */
export interface ViolationRow {
  id: number | string;
  identity_id: string;
  rule_id: string;
  severity: string;
  message: string;
  remediation: string;
  first_detected: string;
  resolved_at: string | null;
}

/** Parses a JSON column, tolerating null. */
export function parseJson<T>(value: string | null | undefined): T | undefined {
  if (value === null || value === undefined || value === '') {
    return undefined;
  }
  return JSON.parse(value) as T;
}

/** `identities` row → API `Identity`. The one place columns become fields. */
export function rowToIdentity(row: IdentityRow): Identity {
  const attributes = parseJson<IdentityAttributes>(row.attributes) ?? {};
  return {
    ...attributes,
    id: row.id,
    type: row.type as Identity['type'],
    fingerprintSha256: row.fingerprint_sha256,
    displayName: row.display_name,
    owner: row.owner ?? undefined,
    component: row.component ?? undefined,
    ownershipRule: row.ownership_rule as Identity['ownershipRule'],
    state: row.state as Identity['state'],
    management: row.management as Identity['management'],
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    observationCount: Number(row.observation_count),
    violationCount: Number(row.violation_count),
    reviewStatus: row.review_status as Identity['reviewStatus'],
  };
}

/** `identities` row → change feed item. */
export function rowToIdentityChange(row: IdentityRow): IdentityChange {
  return {
    ...rowToIdentity(row),
    changeSeq: Number(row.change_seq),
    stateChangedAt: row.state_changed_at,
    compliance: Number(row.violation_count) > 0 ? 'violating' : 'compliant',
  };
}

/** `observations` row → API `Observation`. */
export function rowToObservation(row: ObservationRow): Observation {
  return {
    sourceId: row.source_id,
    location: row.location,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    details: {
      ...(parseJson<Record<string, unknown>>(row.details) ?? {}),
      ...(row.gone_at ? { goneAt: row.gone_at } : {}),
    },
  };
}

/** `scan_runs` row → API `ScanRun`. */
export function rowToScanRun(row: ScanRunRow): ScanRun {
  return {
    id: row.id,
    sourceId: row.source_id,
    status: row.status as ScanRun['status'],
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? undefined,
    seen: Number(row.seen),
    added: Number(row.added),
    retired: Number(row.retired),
    progress:
      row.progress_done === null || row.progress_done === undefined
        ? undefined
        : {
            done: Number(row.progress_done),
            total:
              row.progress_total === null ? undefined : Number(row.progress_total),
          },
    errors: parseJson(row.errors) ?? [],
  };
}

/** `violations` row → API `Violation`. */
export function rowToViolation(row: ViolationRow): Violation {
  return {
    identityId: row.identity_id,
    ruleId: row.rule_id,
    severity: row.severity as Violation['severity'],
    message: row.message,
    remediation: row.remediation,
    firstDetected: row.first_detected,
  };
}

/** Joined violation + identity row → list item. */
export function rowToViolationListItem(
  row: ViolationRow & {
    display_name: string;
    type: string;
    owner: string | null;
    component: string | null;
    not_after: string | null;
  },
): ViolationListItem {
  return {
    ...rowToViolation(row),
    identityDisplayName: row.display_name,
    identityType: row.type as ViolationListItem['identityType'],
    owner: row.owner ?? undefined,
    component: row.component ?? undefined,
    notAfter: row.not_after ?? undefined,
  };
}

/** `audit_events` row → history entry. */
export function rowToHistoryEvent(row: {
  at: string;
  action: string;
  actor: string | null;
  message: string;
}): HistoryEvent {
  return {
    at: row.at,
    action: row.action,
    actor: row.actor ?? undefined,
    message: row.message,
  };
}
