/** Kinds of machine identity Keyring inventories. */
export type IdentityType =
  | 'tls-certificate'
  | 'ssh-key'
  | 'api-token'
  | 'service-account'
  | 'workload-identity'
  | 'secret';

/** Every identity type, in display order. */
export const IDENTITY_TYPES: readonly IdentityType[] = [
  'tls-certificate',
  'ssh-key',
  'api-token',
  'service-account',
  'workload-identity',
  'secret',
];

/** Lifecycle state of an identity in the inventory. */
export type IdentityState = 'active' | 'gone' | 'pending-revocation' | 'revoked';

/** Every identity state. */
export const IDENTITY_STATES: readonly IdentityState[] = [
  'active',
  'gone',
  'pending-revocation',
  'revoked',
];

/** Whether an identity's rotation is automated (cert-manager, ACME, rotation schedule). */
export type Management = 'automated' | 'manual' | 'unmanaged';

/** Outcome of an ownership review for an identity. */
export type ReviewStatus = 'reviewed' | 'due' | 'overdue' | 'never';

/** The rule that decided who owns an identity, in precedence order. */
export type OwnershipRule =
  | 'review-decision'
  | 'source-metadata'
  | 'component-annotation'
  | 'fallback';

/** Policy violation severity. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * Descriptive attributes of an identity. All optional: each type fills what it has.
 * Dates are ISO-8601 strings.
 */
export interface IdentityAttributes {
  subject?: string;
  sans?: string[];
  issuer?: string;
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  keyAlgorithm?: string;
  keySize?: number;
  curve?: string;
  signatureAlgorithm?: string;
  sshKeyType?: string;
  comment?: string;
  /** TLS: the certificate is a CA certificate (basicConstraints cA). */
  isCa?: boolean;
  /** TLS: subject equals issuer and the signature verifies with its own key. */
  selfSigned?: boolean;
  /** TLS: the presented chain verifies to a configured approved CA. */
  chainTrusted?: boolean;
  /** TLS: the chain ends in a root of Node's bundled Mozilla store. */
  publiclyTrusted?: boolean;
  /** Fingerprints (SHA-256 hex) of the issuing chain, leaf's issuer first. */
  chain?: string[];
  /** Token / service account / role / secret: when it was last used (ISO-8601). */
  lastUsedAt?: string;
  /** Token / service account: granted scopes or policies. */
  scopes?: string[];
  /** Token: where the value is stored (e.g. `kubernetes-secret`, `secrets-manager`, `file`). */
  storage?: string;
  /** Service account: holds administrator-level permissions. */
  admin?: boolean;
  /** Service account: has long-lived static keys. */
  staticKeys?: number;
  /**
   * Token / service account / role: holds administrator-level permissions
   * (AWS `AdministratorAccess`, `*:*` or `iam:*`; Kubernetes `cluster-admin`
   * or wildcard verbs). Set together with {@link IdentityAttributes.privilegedReason}.
   */
  privileged?: boolean;
  /** Why `privileged` is set, e.g. `attached policy AdministratorAccess`. */
  privilegedReason?: string;
  /** Secret / key: rotation as the source reports it (e.g. Secrets Manager rotation). */
  rotation?: { enabled: boolean; lastRotatedAt?: string };
  /** Free-form extra facts a scanner wants to keep (never secrets). */
  extra?: Record<string, string | number | boolean>;
}

/** One place a scan saw an identity. */
export interface Observation {
  sourceId: string;
  location: string;
  firstSeen: string;
  lastSeen: string;
  /** Facts about this sighting: TLS version and cipher, authorized_keys options, account, host, line. */
  details?: Record<string, unknown>;
}

/** A policy violation of one identity. */
export interface Violation {
  identityId: string;
  ruleId: string;
  severity: Severity;
  message: string;
  remediation: string;
  firstDetected: string;
}

/** A change in an identity's history (audit event). */
export interface HistoryEvent {
  at: string;
  action: string;
  actor?: string;
  message: string;
}

/** An identity as the REST API returns it. */
export interface Identity extends IdentityAttributes {
  id: string;
  type: IdentityType;
  fingerprintSha256: string;
  displayName: string;
  owner?: string;
  component?: string;
  ownershipRule: OwnershipRule;
  state: IdentityState;
  management: Management;
  firstSeen: string;
  lastSeen: string;
  observationCount: number;
  violationCount: number;
  reviewStatus: ReviewStatus;
}

/** One identity with everything known about it. */
export interface IdentityDetails extends Identity {
  observations: Observation[];
  violations: Violation[];
  history: HistoryEvent[];
}

/** A page of results with an opaque cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Status of a scan run. */
export type ScanStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One error recorded on a scan run. */
export interface ScanError {
  location?: string;
  message: string;
}

/** A scan of one source. */
export interface ScanRun {
  id: string;
  sourceId: string;
  status: ScanStatus;
  startedAt: string;
  finishedAt?: string;
  /** Identities seen in this run. */
  seen: number;
  /** Identities first seen in this run. */
  added: number;
  /** Identities marked gone by this run (only a succeeded run retires). */
  retired: number;
  progress?: { done: number; total?: number };
  errors: ScanError[];
}

/** A configured discovery source and its last run. */
export interface ScanSource {
  id: string;
  type: string;
  lastRun?: ScanRun;
}

/** Inventory totals for the overview. */
export interface InventorySummary {
  total: number;
  byType: Record<string, number>;
  byState: Record<string, number>;
  owned: number;
  orphaned: number;
  byManagement: Record<string, number>;
  /** Share of active identities whose management is `automated` (0..1). */
  managedShare: number;
  violating: number;
  expiring: { expired: number; within7Days: number; within30Days: number; within90Days: number };
}

/**
 * An identity as the change feed (`GET /changes`) returns it to the catalog
 * entity provider: the identity at its latest change, with the change's
 * sequence number. Ordered by `changeSeq`; each identity appears once, at
 * its latest change, so reading from `since=0` yields the whole inventory.
 */
export interface IdentityChange extends Identity {
  /** Monotonic sequence of the identity's last catalog-relevant change. */
  changeSeq: number;
  /** When `state` last changed (drives catalog retention of gone/revoked). */
  stateChangedAt: string;
  /** Whether any policy violation is open. */
  compliance: 'compliant' | 'violating';
}

/** One page of the change feed. */
export interface ChangeFeedPage {
  items: IdentityChange[];
  /** Pass as `since` to read the next page. */
  nextSince: number;
  /** Whether more changes are waiting beyond this page. */
  hasMore: boolean;
}
