import type {
  RetiredComponent,
  RetiredComponentStatus,
  RevocationFlag,
  RevocationRequest,
  RevocationState,
} from '@keyring/plugin-machine-identity-common';
import type { IdentityAccessFilter } from '../database/types';

/** Filters of `GET /revocations`. */
export interface RevocationFilter {
  /** The caller's access conditions on the request's identity (permission policy); absent = every request. */
  access?: IdentityAccessFilter;
  state?: RevocationState;
  owner?: string;
  entityRef?: string;
  identityId?: string;
}

/** A new request as the service hands it to the store. */
export type NewRevocationRequest = Pick<
  RevocationRequest,
  'id' | 'identityId' | 'trigger' | 'reason' | 'entityRef' | 'owner' | 'campaignId' | 'requestedBy' | 'requestedAt' | 'expiresAt' | 'places'
>;

/** Fields a transition may set besides the state. */
export type RevocationPatch = Partial<
  Pick<
    RevocationRequest,
    | 'decidedBy'
    | 'decidedAt'
    | 'decisionComment'
    | 'executeAfter'
    | 'revokerId'
    | 'outcomeMessage'
    | 'outcomeDetails'
    | 'executedAt'
    | 'verifiedAt'
    | 'owner'
  >
>;

/** One state change: from one of `from` to `to`, with its patch and audit event. */
export interface RevocationTransition {
  id: string;
  from: RevocationState[];
  to: RevocationState;
  patch: RevocationPatch;
  audit: RevocationAudit;
  now: string;
}

/** The audit event written in the same transaction as a change. */
export interface RevocationAudit {
  actor?: string;
  message: string;
}

/** An active observation with what verification and revokers need. */
export interface ActiveObservation {
  sourceId: string;
  location: string;
  firstSeen: string;
  lastSeen: string;
  details?: Record<string, unknown>;
}

/**
 * Persistence of the revocation workflow. It records decisions; the
 * {@link RevocationService} makes them. Every change writes its audit event
 * in the same transaction.
 * @internal
 */
export interface RevocationStore {
  /** Inserts a request, or returns the identity's open request (`created: false`). */
  create(request: NewRevocationRequest, audit: RevocationAudit): Promise<{ request: RevocationRequest; created: boolean }>;
  /** A request; `undefined` also when its identity does not meet `access`. */
  get(id: string, access?: IdentityAccessFilter): Promise<RevocationRequest | undefined>;
  list(filter: RevocationFilter, options: { cursor?: string; limit: number }): Promise<{ items: RevocationRequest[]; nextCursor?: string }>;
  /**
   * Moves a request from one of `from` to `to` if it is still there (a
   * conditional update, safe across replicas); `undefined` when another
   * writer moved it first.
   */
  transition(change: RevocationTransition): Promise<RevocationRequest | undefined>;
  /** Requests in `state` whose `column` is at or before `now`. */
  listDue(state: RevocationState, column: 'expiresAt' | 'executeAfter', now: string, limit: number): Promise<RevocationRequest[]>;
  /** Requests in the given states, optionally only those of these identities. */
  listInStates(states: RevocationState[], identityIds?: string[]): Promise<RevocationRequest[]>;
  /** Verification time per identity of every verified revocation (the latest per identity). */
  listVerifiedAt(): Promise<Map<string, string>>;
  /** Marks a verified request's credential as seen again. */
  markReappeared(id: string, audit: RevocationAudit, now: string): Promise<void>;
  /** Observations of an identity that the last complete scans still saw. */
  getActiveObservations(identityId: string): Promise<ActiveObservation[]>;

  /** Distinct Components that live identities are linked to. */
  listLinkedComponents(): Promise<string[]>;
  /** Live identity ids linked to a Component. */
  listComponentIdentityIds(entityRef: string): Promise<string[]>;
  upsertRetired(component: { entityRef: string; status: RetiredComponentStatus; lifecycle?: string; owner?: string; retiredAt?: string }, now: string): Promise<void>;
  deleteRetired(entityRef: string): Promise<void>;
  listRetired(): Promise<Array<Omit<RetiredComponent, 'requests' | 'flags'>>>;
  upsertFlag(flag: RevocationFlag): Promise<boolean>;
  listFlags(entityRefs?: string[]): Promise<RevocationFlag[]>;
}
