import type {
  HistoryEvent,
  Identity,
  IdentityChange,
  Observation,
  ScanRun,
  Violation,
} from '@keyring/plugin-machine-identity-common';
import type {
  AuditRecord,
  IdentityRecord,
  ObservationRecord,
  StoredViolation,
  ViolationListItem,
} from './types';
import { searchTextOf } from './searchText';

/** The `identities` row as stored (snake_case). */
export interface IdentityRow {
  id: string;
  type: string;
  fingerprint_sha256: string;
  display_name: string;
  subject: string | null;
  /** The display name and subject as the `q` search matches them ({@link searchTextOf}). */
  search_text?: string | null;
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
  content_hash?: string | null;
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
  /** Ids whose retirement the run held back (guard), JSON. */
  held_retirement?: string | null;
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

/** `identities` row → {@link IdentityRecord}. The one place identity columns become fields. */
export function rowToRecord(row: IdentityRow): IdentityRecord {
  return {
    id: row.id,
    type: row.type as IdentityRecord['type'],
    fingerprintSha256: row.fingerprint_sha256,
    displayName: row.display_name,
    subject: row.subject ?? undefined,
    attributes: parseJson(row.attributes) ?? {},
    notAfter: row.not_after ?? undefined,
    owner: row.owner ?? undefined,
    component: row.component ?? undefined,
    ownershipRule: row.ownership_rule as IdentityRecord['ownershipRule'],
    ownershipVia: row.ownership_via ?? undefined,
    ownerHint: parseJson(row.owner_hint),
    links: parseJson(row.links),
    sshLogins: parseJson(row.ssh_logins),
    reviewOwner: row.review_owner ?? undefined,
    reviewComponent: row.review_component ?? undefined,
    state: row.state as IdentityRecord['state'],
    stateChangedAt: row.state_changed_at,
    management: row.management as IdentityRecord['management'],
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    changeSeq: Number(row.change_seq),
    observationCount: Number(row.observation_count),
    violationCount: Number(row.violation_count),
    reviewStatus: row.review_status as IdentityRecord['reviewStatus'],
  };
}

/** A JSON column's text (`null` for undefined). */
export const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** {@link IdentityRecord} → `identities` row. */
export function recordToRow(r: IdentityRecord): IdentityRow {
  return {
    id: r.id,
    type: r.type,
    fingerprint_sha256: r.fingerprintSha256,
    display_name: r.displayName,
    subject: r.subject ?? null,
    search_text: searchTextOf(r.displayName, r.subject),
    attributes: JSON.stringify(r.attributes),
    not_after: r.notAfter ?? null,
    owner: r.owner ?? null,
    component: r.component ?? null,
    ownership_rule: r.ownershipRule,
    ownership_via: r.ownershipVia ?? null,
    owner_hint: json(r.ownerHint),
    links: json(r.links),
    ssh_logins: json(r.sshLogins),
    review_owner: r.reviewOwner ?? null,
    review_component: r.reviewComponent ?? null,
    state: r.state,
    state_changed_at: r.stateChangedAt,
    management: r.management,
    first_seen: r.firstSeen,
    last_seen: r.lastSeen,
    change_seq: r.changeSeq,
    observation_count: r.observationCount,
    violation_count: r.violationCount,
    review_status: r.reviewStatus,
  };
}

/** The row column of a record field: its name in snake_case (`stateChangedAt` → `state_changed_at`). */
export function columnOf(field: keyof IdentityRecord): keyof IdentityRow {
  return field.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`) as keyof IdentityRow;
}

/** {@link ObservationRecord} → `observations` row. */
export function observationToRow(o: ObservationRecord): ObservationRow {
  return {
    identity_id: o.identityId,
    source_id: o.sourceId,
    location: o.location,
    first_seen: o.firstSeen,
    last_seen: o.lastSeen,
    last_scan_id: o.lastScanId,
    gone_at: o.goneAt ?? null,
    details: json(o.details),
    content_hash: o.contentHash ?? null,
  };
}

/** `observations` row → {@link ObservationRecord}. */
export function rowToObservationRecord(row: ObservationRow): ObservationRecord {
  return {
    identityId: row.identity_id,
    sourceId: row.source_id,
    location: row.location,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    lastScanId: row.last_scan_id,
    goneAt: row.gone_at ?? undefined,
    details: parseJson(row.details),
    contentHash: row.content_hash ?? undefined,
  };
}

/** `violations` row → {@link StoredViolation}. */
export function rowToStoredViolation(row: ViolationRow): StoredViolation {
  return {
    id: String(row.id),
    identityId: row.identity_id,
    ruleId: row.rule_id,
    severity: row.severity as StoredViolation['severity'],
    message: row.message,
    remediation: row.remediation,
    firstDetected: row.first_detected,
  };
}

/** The `audit_events` row as stored (the review columns arrive with a later migration). */
export interface AuditRow {
  id: number | string;
  at: string;
  action: string;
  actor: string | null;
  identity_id: string | null;
  message: string;
  campaign_id?: string | null;
  before?: string | null;
  after?: string | null;
  comment?: string | null;
}

function fromJsonText(value: string | null | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** `audit_events` row → {@link AuditRecord}. */
export function rowToAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: String(row.id),
    at: row.at,
    actor: row.actor ?? undefined,
    action: row.action,
    identityId: row.identity_id ?? undefined,
    campaignId: row.campaign_id ?? undefined,
    before: fromJsonText(row.before),
    after: fromJsonText(row.after),
    comment: row.comment ?? undefined,
    message: row.message,
  };
}

/** {@link IdentityRecord} → API `Identity`. */
export function recordToIdentity(r: IdentityRecord): Identity {
  return {
    ...r.attributes,
    id: r.id,
    type: r.type,
    fingerprintSha256: r.fingerprintSha256,
    displayName: r.displayName,
    owner: r.owner,
    component: r.component,
    ownershipRule: r.ownershipRule,
    state: r.state,
    management: r.management,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    observationCount: r.observationCount,
    violationCount: r.violationCount,
    reviewStatus: r.reviewStatus,
  };
}

/** `identities` row → API `Identity`. */
export function rowToIdentity(row: IdentityRow): Identity {
  return recordToIdentity(rowToRecord(row));
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

/** {@link ObservationRecord} → API `Observation`. */
export function recordToObservation(o: ObservationRecord): Observation {
  return {
    sourceId: o.sourceId,
    location: o.location,
    firstSeen: o.firstSeen,
    lastSeen: o.lastSeen,
    details: { ...(o.details ?? {}), ...(o.goneAt ? { goneAt: o.goneAt } : {}) },
  };
}

/** `observations` row → API `Observation`. */
export function rowToObservation(row: ObservationRow): Observation {
  return recordToObservation(rowToObservationRecord(row));
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
        : { done: Number(row.progress_done), total: row.progress_total === null ? undefined : Number(row.progress_total) },
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
