/** Where a revocation request stands. */
export type RevocationState =
  | 'requested'
  | 'approved'
  | 'executing'
  | 'executed'
  | 'verified'
  | 'rejected'
  | 'failed'
  | 'manual'
  | 'expired';

/** Every revocation state, in workflow order. */
export const REVOCATION_STATES: readonly RevocationState[] = [
  'requested',
  'approved',
  'executing',
  'executed',
  'verified',
  'rejected',
  'failed',
  'manual',
  'expired',
];

/** States of a request that still needs something to happen (one per identity). */
export const OPEN_REVOCATION_STATES: readonly RevocationState[] = [
  'requested',
  'approved',
  'executing',
  'executed',
  'manual',
];

/** What started a revocation request. */
export type RevocationTrigger = 'manual' | 'review' | 'decommissioned' | 'removed';

/** One place a scan saw the credential when the revocation was requested. */
export interface RevocationPlace {
  sourceId: string;
  /** The observation's location, e.g. `web-01:/home/deploy/.ssh/authorized_keys:3`. */
  location: string;
  /** The place verification compares: the file for key files, else the location. */
  place: string;
}

/** A request to revoke one machine identity. */
export interface RevocationRequest {
  id: string;
  identityId: string;
  identityDisplayName?: string;
  identityType?: string;
  state: RevocationState;
  trigger: RevocationTrigger;
  reason: string;
  /** The Component whose retirement triggered the request. */
  entityRef?: string;
  /** Owner of the identity when requested; also the owner of a manual task. */
  owner?: string;
  campaignId?: string;
  requestedBy: string;
  requestedAt: string;
  /** Who approved or rejected it. */
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  /** Approved requests wait for this time (the grace period) before execution. */
  executeAfter?: string;
  /** A request not approved by this time expires. */
  expiresAt?: string;
  places: RevocationPlace[];
  revokerId?: string;
  /** The revoker's message, the failure reason, or the instructions of a manual task. */
  outcomeMessage?: string;
  outcomeDetails?: Record<string, unknown>;
  executedAt?: string;
  verifiedAt?: string;
  /** Set when a verified-revoked credential was seen again. */
  reappearedAt?: string;
  updatedAt: string;
}

/** A credential of a retired Component that another live Component uses too: flagged, not revoked. */
export interface RevocationFlag {
  entityRef: string;
  identityId: string;
  identityDisplayName?: string;
  sharedWith: string[];
  owner?: string;
  flaggedAt: string;
}

/** Why a Component counts as retired. */
export type RetiredComponentStatus = 'decommissioned' | 'missing' | 'removed';

/** A Component retired in the catalog, with its revocation work. */
export interface RetiredComponent {
  entityRef: string;
  /** `missing`: gone from the catalog, still inside the grace period (nothing requested yet). */
  status: RetiredComponentStatus;
  lifecycle?: string;
  owner?: string;
  firstDetectedAt: string;
  retiredAt?: string;
  requests: RevocationRequest[];
  flags: RevocationFlag[];
}
