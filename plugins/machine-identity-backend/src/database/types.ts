import type {
  ChangeFeedPage,
  HistoryEvent,
  Identity,
  IdentityState,
  IdentityType,
  InventorySummary,
  Observation,
  OwnershipRule,
  Page,
  ScanError,
  ScanRun,
  Severity,
  Violation,
} from '@keyring/plugin-machine-identity-common';
import type {
  IdentityLinks,
  MachineIdentityDiscovery,
  OwnerHint,
} from '@keyring/plugin-machine-identity-node';
import type { OwnerViolations } from '../notifications/types';
import type { SshLogin } from '../ownership/ComponentIndex';

/** Who owns an identity and which rule decided it. */
export interface OwnershipDecision {
  owner?: string;
  component?: string;
  rule: OwnershipRule;
  /** Human explanation, e.g. `keyring.io/hostnames *.payments.example.test on component:default/payments-api`. */
  via: string;
}

/** What ownership resolution reads from an identity. */
export interface OwnershipInput {
  type: IdentityType;
  ownerHint?: OwnerHint;
  links?: IdentityLinks;
  /** Host and account of each SSH sighting, kept together (see `ComponentIndex`). */
  sshLogins?: SshLogin[];
  reviewOwner?: string;
  reviewComponent?: string;
}

/** Resolves ownership of one identity; pure and fast (runs per row in batches). */
export type OwnershipResolveFn = (input: OwnershipInput) => OwnershipDecision;

/** Filters of `GET /identities`. */
export interface IdentityFilter {
  type?: IdentityType;
  owner?: string;
  entityRef?: string;
  state?: IdentityState;
  expiresWithinDays?: number;
  violating?: boolean;
  q?: string;
}

/** Filters of `GET /violations`. */
export interface ViolationFilter {
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
}

/** The inventory: identities, observations, scan runs, violations, waivers, audit history. */
export interface InventoryStore {
  /** Reads a plugin setting, creating it with `create()` the first time (race-safe). */
  getOrCreateSetting(key: string, create: () => string): Promise<string>;

  /** Upserts one batch of discoveries of one scan run in a few statements. */
  upsertDiscoveries(options: {
    scanId: string;
    sourceId: string;
    discoveries: MachineIdentityDiscovery[];
    now: string;
    resolveOwnership: OwnershipResolveFn;
  }): Promise<BatchResult>;
  /**
   * After a succeeded run: marks observations of the source not refreshed by
   * the run as gone, and identities left with no current observation as
   * `gone`. Returns the ids of identities retired.
   */
  retireUnseen(options: { scanId: string; sourceId: string; now: string }): Promise<string[]>;

  /** Re-resolves ownership of every identity; returns the ids of those whose ownership changed. */
  reresolveOwnership(resolve: OwnershipResolveFn, now: string): Promise<string[]>;

  createScanRun(run: { id: string; sourceId: string; trigger: 'schedule' | 'manual'; startedAt: string; claimed: boolean }): Promise<void>;
  /** Claims the oldest unclaimed (manually requested) run of a source, if any. */
  claimQueuedScanRun(sourceId: string, now: string): Promise<string | undefined>;
  /** Marks runs of a source still `running` as failed (a new run starts, so they were abandoned). */
  failAbandonedScanRuns(sourceId: string, now: string, reason: string): Promise<number>;
  deleteQueuedScanRun(id: string): Promise<void>;
  updateScanRun(id: string, update: ScanRunUpdate): Promise<void>;
  getScanRun(id: string): Promise<ScanRun | undefined>;
  /** The running run of a source, if one started after `startedAfter`. */
  getRunningScanRun(sourceId: string, startedAfter: string): Promise<ScanRun | undefined>;
  getLatestScanRuns(sourceIds: string[]): Promise<Map<string, ScanRun>>;

  listIdentities(filter: IdentityFilter, options: { cursor?: string; limit: number; now: string }): Promise<Page<Identity>>;
  getIdentity(id: string): Promise<Identity | undefined>;
  getObservations(identityId: string): Promise<Observation[]>;
  getOpenViolations(identityId: string): Promise<Violation[]>;
  getHistory(identityId: string): Promise<HistoryEvent[]>;
  getSummary(now: string): Promise<InventorySummary>;
  listChanges(since: number, limit: number): Promise<ChangeFeedPage>;
  listViolations(filter: ViolationFilter, options: { cursor?: string; limit: number }): Promise<Page<ViolationListItem>>;
  /**
   * Open violations of live identities grouped by owner, most urgent first
   * (the expiry digest's `DigestSource`).
   */
  listOpenViolationsByOwner(options: { minSeverity: Severity; limitPerOwner: number }): Promise<OwnerViolations[]>;

  /** Ids of identities in pages of `limit`, after `afterId` (for scheduled evaluation). */
  listIdentityIds(options: { afterId?: string; limit: number; states?: IdentityState[] }): Promise<string[]>;
  getEvaluationInputs(ids: string[]): Promise<EvaluationInput[]>;
  /** Unexpired waivers of the identities, as `identityId/ruleId` keys. */
  getActiveWaiverKeys(ids: string[], now: string): Promise<Set<string>>;
  /**
   * Replaces the open violations of each identity with `results`: keeps
   * first_detected of violations still present, resolves the rest, updates
   * violation_count and bumps change_seq when compliance flips.
   */
  applyEvaluations(results: Map<string, EvaluatedViolation[]>, now: string): Promise<{ opened: number; resolved: number }>;
  addWaiver(waiver: Omit<Waiver, 'id' | 'createdAt'>, now: string): Promise<Waiver>;
  /** Records an explicit review decision (highest ownership precedence). */
  setReviewDecision(options: { identityId: string; owner?: string; component?: string; actor: string; now: string }): Promise<void>;
  appendAuditEvent(event: { identityId?: string; at: string; action: string; actor?: string; message: string }): Promise<void>;
}
