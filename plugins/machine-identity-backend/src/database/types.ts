import type {
  AuditEvent,
  ChangeFeedPage,
  Identity,
  IdentityAttributes,
  IdentityState,
  IdentityType,
  InventorySummary,
  Management,
  Observation,
  OwnershipRule,
  Page,
  ReviewStatus,
  ScanError,
  ScanRun,
  Severity,
  Violation,
} from '@keyring/plugin-machine-identity-common';
import type { IdentityLinks, OwnerHint } from '@keyring/plugin-machine-identity-node';
import type { IdentityDetail } from './identityDetail';
import type { StoreTransaction } from './InventoryDatabase';

/**
 * An identity as stored, every column parsed: what the domain reads before it
 * decides and hands back once ownership, state and verdict are decided.
 */
export interface IdentityRecord {
  id: string;
  type: IdentityType;
  fingerprintSha256: string;
  displayName: string;
  subject?: string;
  attributes: IdentityAttributes;
  notAfter?: string;
  owner?: string;
  component?: string;
  ownershipRule: OwnershipRule;
  ownershipVia?: string;
  /** Latest owner hint of a source. */
  ownerHint?: OwnerHint;
  /** Links merged over every sighting. */
  links?: IdentityLinks;
  /** `[host, account]` of every SSH sighting, sorted. */
  sshLogins?: string[][];
  reviewOwner?: string;
  reviewComponent?: string;
  state: IdentityState;
  stateChangedAt: string;
  management: Management;
  firstSeen: string;
  lastSeen: string;
  /** Position in the change feed; moves only when the catalog would see a change. */
  changeSeq: number;
  observationCount: number;
  violationCount: number;
  reviewStatus: ReviewStatus;
}

/** One place a source saw an identity, as stored. */
export interface ObservationRecord {
  identityId: string;
  sourceId: string;
  location: string;
  firstSeen: string;
  lastSeen: string;
  lastScanId: string;
  goneAt?: string;
  details?: Record<string, unknown>;
  /** Hash of the discovery the observation was written from (see `sightingHash`). */
  contentHash?: string;
}


/** An identity row's move, for the summary counters: `before` is absent for a new identity. */
export interface IdentityWrite {
  before?: IdentityRecord;
  after: IdentityRecord;
}

/**
 * One condition of the permission framework's query form for the
 * `machine-identity` resource type (`isOwner`, `hasType`, `isOrphan`).
 */
export type IdentityAccessCondition =
  | { key: 'owner'; values: string[] }
  | { key: 'type'; values: string[] }
  | { key: 'orphan'; value: boolean };

/**
 * Which identities a caller may see: conditions combined as the permission
 * framework's criteria (`allOf`, `anyOf`, `not`); absent = every identity.
 */
export type IdentityAccessFilter =
  | IdentityAccessCondition
  | { allOf: IdentityAccessFilter[] }
  | { anyOf: IdentityAccessFilter[] }
  | { not: IdentityAccessFilter };

/** Filters of `GET /identities`. */
export interface IdentityFilter {
  /** The caller's access conditions (permission policy). */
  access?: IdentityAccessFilter;
  type?: IdentityType;
  owner?: string;
  entityRef?: string;
  state?: IdentityState;
  expiresWithinDays?: number;
  violating?: boolean;
  q?: string;
  /**
   * Set by the store, never from a request: the part of `q` the trigram index
   * is asked for (`SearchTrigramStatistics`); the whole of `q` is still
   * matched. Ignored unless it is part of `q`.
   */
  searchFragment?: string;
}

/** Filters of `GET /violations`. */
export interface ViolationFilter {
  /** The caller's access conditions on the violations' identities. */
  access?: IdentityAccessFilter;
  entityRef?: string;
  owner?: string;
  ruleId?: string;
}

/** A violation with the identity facts lists and digests need. */
export interface ViolationListItem extends Violation {
  identityDisplayName: string;
  identityType: IdentityType;
  owner?: string;
  component?: string;
  notAfter?: string;
}

/** Result of writing one batch of discoveries. */
export interface BatchResult {
  /** Distinct identities in the batch. */
  identityIds: string[];
  /** Identities created by this batch. */
  added: number;
}

/** A rule result after waivers, to be stored as an open violation. */
export interface EvaluatedViolation {
  ruleId: string;
  severity: Severity;
  message: string;
  remediation: string;
}

/** An open violation as stored. */
export interface StoredViolation extends EvaluatedViolation {
  id: string;
  identityId: string;
  firstDetected: string;
}

/** Violation rows to write in one transaction. */
export interface ViolationWrites {
  opened: Array<EvaluatedViolation & { identityId: string }>;
  /** Open violations whose severity, message or remediation changed. */
  changed: StoredViolation[];
  /** Ids of open violations that no longer apply. */
  resolved: string[];
  now: string;
}

/** Everything the policy engine needs about one identity. */
export interface EvaluationInput {
  identity: Identity;
  observations: Observation[];
}

/** A waiver: an accepted exception to one rule for one identity. */
export interface Waiver {
  id: string;
  identityId: string;
  ruleId: string;
  reason: string;
  approver: string;
  createdAt: string;
  expiresAt?: string;
}

/** Fields of a scan run that change while it runs or when it ends. */
export interface ScanRunUpdate {
  status?: ScanRun['status'];
  finishedAt?: string;
  seen?: number;
  added?: number;
  retired?: number;
  progress?: { done: number; total?: number };
  errors?: ScanError[];
  errorCount?: number;
  /** Ids of identities whose retirement the run held back (the share guard). */
  heldRetirement?: string[];
}

/** An audit event to append; the id is assigned by the database. */
export type AuditEventInput = Omit<AuditEvent, 'id'>;

/** A stored audit event. */
export type AuditRecord = AuditEvent;

/** Filters of the audit log; `from` inclusive, `to` exclusive (ISO-8601). */
export interface AuditFilter {
  identityId?: string;
  actor?: string;
  action?: string;
  campaignId?: string;
  from?: string;
  to?: string;
}

/** A page request: an opaque cursor from the previous page and a size. */
export interface PageRequest {
  cursor?: string;
  limit: number;
}

/** One sent (or being sent) notification digest: owner, UTC day, kind. */
export interface DigestClaimKey {
  owner: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  kind: 'digest' | 'escalation';
}

/**
 * Identities and their observations.
 *
 * @internal
 */
export interface IdentityStore {
  /** Current records of the ids (call with identity writes locked). */
  getRecords(ids: string[], tx: StoreTransaction): Promise<Map<string, IdentityRecord>>;
  /** Records after `afterId` in id order, for passes over the whole inventory. */
  listRecords(options: { afterId: string; limit: number }, tx: StoreTransaction): Promise<IdentityRecord[]>;
  /** Live observations of the ids, in every source (`withDetails: false` skips the details JSON). */
  listLiveObservations(ids: string[], tx: StoreTransaction, options?: { withDetails?: boolean }): Promise<ObservationRecord[]>;
  /** Upserts whole records, or only `columns` of them; keeps the summary counters. */
  writeRecords(writes: IdentityWrite[], tx: StoreTransaction, columns?: (keyof IdentityRecord)[]): Promise<void>;
  /** Moves `last_seen` of identities that changed in nothing else. */
  touch(ids: string[], lastSeen: string, tx: StoreTransaction): Promise<void>;
  /** Upserts sightings (a re-sighting revives a gone observation). */
  upsertObservations(observations: ObservationRecord[], tx: StoreTransaction): Promise<void>;
  /** Details JSON text of a source's live observations of the ids, by `JSON.stringify([identityId, location])`. */
  listLiveDetails(ids: string[], sourceId: string, tx: StoreTransaction): Promise<Map<string, string | null>>;
  /**
   * Re-sightings of live observations with unchanged details: moves only
   * their `last_seen` / `last_scan_id` / `content_hash`, set-based (no row rewritten, no index written).
   */
  refreshObservations(observations: ObservationRecord[], tx: StoreTransaction): Promise<void>;
  /** Live observations of a source that the scan did not refresh. */
  listUnrefreshedObservations(sourceId: string, scanId: string, tx: StoreTransaction): Promise<ObservationRecord[]>;
  /** Marks observations gone and refreshes the observation counts of their identities. */
  markObservationsGone(observations: ObservationRecord[], now: string, tx: StoreTransaction): Promise<void>;
  /** Live (`active`) records among the ids that have no live observation left. */
  listUnobserved(ids: string[], tx: StoreTransaction): Promise<IdentityRecord[]>;
  /**
   * The distinct places one level below `under` of the source's live
   * observations (`under`, one segment and `/`), read a few at a time by
   * index (see `ScannerContext.lastSeenScopes`).
   */
  listLastSeenScopes(sourceId: string, under: string): AsyncIterable<string>;
  /** Number of active identities with a live observation in the source. */
  countActiveInSource(sourceId: string, tx?: StoreTransaction): Promise<number>;
  /** Records an explicit review decision (the highest ownership precedence). */
  setReviewDecision(options: { identityId: string; owner?: string; component?: string }, tx?: StoreTransaction): Promise<void>;
  /**
   * Sets `review_status` of the ids, with a fresh change_seq for each row it
   * changes; call with identity writes locked (`ChangeFeedStore.allocator`).
   */
  setReviewStatus(ids: string[], status: ReviewStatus, tx: StoreTransaction): Promise<void>;
  /** The same for the identities of a review campaign (only its undecided items with `undecidedOnly`). */
  setCampaignReviewStatus(
    campaignId: string,
    status: ReviewStatus,
    options: { undecidedOnly?: boolean },
    tx: StoreTransaction,
  ): Promise<void>;

  /** A page in id order, or most urgent first with `sort: 'urgency'`; with a `sort`, the page has `total` and `openRules`. */
  list(filter: IdentityFilter, options: PageRequest & { now: string; sort?: 'urgency' | 'id' }): Promise<Page<Identity>>;
  get(id: string): Promise<Identity | undefined>;
  /** The identity with its observations, open violations and history, in one read. */
  getDetail(id: string): Promise<IdentityDetail | undefined>;
  /** Ids in pages of `limit`, after `afterId` (for scheduled evaluation). */
  listIds(options: { afterId?: string; limit: number; states?: IdentityState[] }): Promise<string[]>;
  /** Identities with their live observations, for policy evaluation. */
  getEvaluationInputs(ids: string[], tx?: StoreTransaction): Promise<EvaluationInput[]>;
  getSummary(now: string): Promise<InventorySummary>;
}

/**
 * Unchanged sightings of running scans: logged per batch, applied to the
 * observations (and identities' `last_seen`) when the run ends.
 *
 * @internal
 */
export interface SightingStore {
  /** Logs that the scan saw these (identity, location) pairs of its source unchanged at `seenAt`. */
  log(scanId: string, seenAt: string, pairs: Array<[identityId: string, location: string]>, tx?: StoreTransaction): Promise<void>;
  /**
   * Compares a batch's sightings with the source's live observations and logs (one row) the
   * sightings of every identity whose each sighting matches its live observation's content
   * hash; returns those identities. The rest changed and must be written.
   */
  logUnchanged(
    scan: { scanId: string; sourceId: string; seenAt: string },
    sightings: Array<[identityId: string, location: string, contentHash: string | null]>,
    tx: StoreTransaction,
  ): Promise<Set<string>>;
  /**
   * Moves `last_seen` / `last_scan_id` of every logged sighting of the scan's
   * live observations of the source (and the identities' `last_seen`), set-based,
   * then drops the log. Returns how many sightings were applied.
   */
  apply(scanId: string, sourceId: string, tx: StoreTransaction): Promise<number>;
  /** Drops the logs of runs that are no longer running (a run failed by the sweep never applies its log). */
  dropEnded(): Promise<number>;
}

/**
 * The change feed the catalog module follows: `change_seq` of the identities.
 *
 * @internal
 */
export interface ChangeFeedStore {
  /** Locks identity writes for the transaction and returns the next-position allocator. */
  allocator(tx: StoreTransaction): Promise<() => number>;
  /** Changes after `since`; with `access`, only identities the caller may see. */
  list(since: number, limit: number, access?: IdentityAccessFilter): Promise<ChangeFeedPage>;
  /** The latest position (0 for an empty inventory). */
  position(): Promise<number>;
  /**
   * Owners and Components of the identities that moved after `since`, with
   * how many moved for each, and the position they were read up to.
   */
  entitiesChangedSince(since: number): Promise<{ position: number; entities: Array<{ entityRef: string; changed: number }> }>;
}

/**
 * Scan runs.
 *
 * @internal
 */
/** A claim of a new run of a source (see {@link ScanRunStore.claimSource}). */
export interface SourceClaim {
  sourceId: string;
  trigger: 'schedule' | 'manual';
  now: string;
  leaseToken: string;
  /** The id of the run when a new one is created. */
  newId: string;
  /** A running run with a heartbeat since then (and started after `startedAfter`) holds a live lease. */
  heartbeatSince: string;
  startedAfter: string;
  /** Takes the source's oldest queued (manually requested, unclaimed) run instead of creating one. */
  takeQueued: boolean;
  /** Recorded on the source's claimed running runs without a live lease, which the claim fails. */
  abandonedReason: string;
  /** Claims inside this (outer) transaction instead of one of its own; it holds the source's claim lock until it ends. */
  tx?: StoreTransaction;
}

/** The claimed run, or the run that holds a live lease on the source and its lease token (nothing was claimed). */
export type SourceClaimResult = { scanId: string; abandoned: number } | { live: ScanRun; leaseToken: string };

export interface ScanRunStore {
  /** Creates a run; a claimed one holds the lease `leaseToken` from the start. */
  create(run: { id: string; sourceId: string; trigger: 'schedule' | 'manual'; startedAt: string; claimed: boolean; leaseToken?: string }): Promise<void>;
  /** Fails running runs whose last heartbeat is before `heartbeatBefore` (their process died). */
  failStale(heartbeatBefore: string, now: string, reason: string): Promise<number>;
  /** Renews a run's lease; `false` when the run no longer holds it (failed or superseded). */
  heartbeat(id: string, leaseToken: string, now: string): Promise<boolean>;
  /** Renews the claim of shard `index` of a run; `false` when the shard no longer holds it (failed as abandoned). */
  heartbeatShard(id: string, index: number, shardToken: string, now: string): Promise<boolean>;
  /** The source and lease token of a running claimed run, its row locked for the transaction on PostgreSQL. */
  lockRunning(id: string, tx: StoreTransaction): Promise<{ sourceId: string; leaseToken: string } | undefined>;
  /** Throws `ConflictError` unless the run is running under `leaseToken` (locks the run row on PostgreSQL). */
  assertLease(id: string, leaseToken: string, tx: StoreTransaction): Promise<void>;
  /**
   * Claims a new run of a source under `leaseToken` unless another run holds a
   * live lease on it; exclusive across replicas (one transaction, serialised per
   * source on PostgreSQL). Fails the source's claimed runs without a live lease.
   */
  claimSource(claim: SourceClaim): Promise<SourceClaimResult>;
  /** Identities of the source the run sighted so far, each counted once (written by it or in its sightings log). */
  countSighted(scanId: string, sourceId: string, tx: StoreTransaction): Promise<number>;
  deleteQueued(id: string): Promise<void>;
  /** Updates a run; with `leaseToken`, only while the run still holds that lease. */
  update(id: string, update: ScanRunUpdate, tx?: StoreTransaction, leaseToken?: string): Promise<void>;
  get(id: string): Promise<ScanRun | undefined>;
  /** The running run of a source, if one started after `startedAfter`. */
  getRunning(sourceId: string, startedAfter: string): Promise<ScanRun | undefined>;
  getLatest(sourceIds: string[]): Promise<Map<string, ScanRun>>;
  /** Retirement held back by the source's latest finished run before `scanId` (empty when none). */
  getPreviousHeldRetirement(sourceId: string, scanId: string, tx: StoreTransaction): Promise<Set<string>>;
}

/**
 * Violations and waivers.
 *
 * @internal
 */
export interface ViolationStore {
  /** Open violations of the ids. */
  listOpenFor(ids: string[], tx: StoreTransaction): Promise<StoredViolation[]>;
  write(writes: ViolationWrites, tx: StoreTransaction): Promise<void>;
  list(filter: ViolationFilter, options: PageRequest): Promise<Page<ViolationListItem>>;
  /** Open violations per rule id (the set `list` pages through). */
  countOpenByRule(): Promise<Record<string, number>>;
  /** Open violations of live, owned identities at the given severities, by owner then id. */
  listOpenOwned(options: { severities: Severity[] }): Promise<ViolationListItem[]>;
  addWaiver(waiver: Omit<Waiver, 'id' | 'createdAt'>, now: string, tx?: StoreTransaction): Promise<Waiver>;
  /** Unexpired waivers of the identities, as `identityId/ruleId` keys. */
  getActiveWaiverKeys(ids: string[], now: string, tx?: StoreTransaction): Promise<Set<string>>;
}

/**
 * The append-only audit log.
 *
 * @internal
 */
export interface AuditStore {
  /** Appends events; pass the transaction of the decision they record. */
  append(events: AuditEventInput[], tx?: StoreTransaction): Promise<void>;
  /** Newest first, paged by an opaque cursor. */
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>>;
}

/**
 * Plugin settings (e.g. the generated token-hash key).
 *
 * @internal
 */
export interface SettingsStore {
  /** Reads a setting, creating it with `create()` the first time (race-safe). */
  getOrCreate(key: string, create: () => string): Promise<string>;
}

/**
 * Sent notification digests: one per owner, day and kind.
 *
 * @internal
 */
export interface DigestStore {
  /** Atomically claims (owner, day, kind); `false` when it was already claimed. */
  claim(claim: DigestClaimKey & { itemCount: number; at: string }): Promise<boolean>;
  /** Gives a claim back after a failed send. */
  release(claim: DigestClaimKey): Promise<void>;
}

/**
 * Every store of the inventory over one database, and its transaction helper.
 *
 * @internal
 */
export interface InventoryStores {
  identities: IdentityStore;
  changes: ChangeFeedStore;
  scanRuns: ScanRunStore;
  violations: ViolationStore;
  audit: AuditStore;
  settings: SettingsStore;
  digests: DigestStore;
  sightings: SightingStore;
  /** Runs `fn` in one transaction (or inside `tx`). */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, tx?: StoreTransaction): Promise<T>;
}
