import type {
  IdentityType,
  Severity,
} from '@keyring/plugin-machine-identity-common';
import type { DigestClaimKey, DigestStore } from '../database/types';

/** One open violation as a digest lists it. */
export interface DigestViolation {
  identityId: string;
  displayName: string;
  type: IdentityType;
  ruleId: string;
  severity: Severity;
  message: string;
  /** When the violation was first detected (ISO-8601). */
  firstDetected: string;
  /** The identity's expiry (ISO-8601), when it has one: drives ordering and escalation. */
  notAfter?: string;
}

/** The open violations of one owning Group. */
export interface OwnerViolations {
  /** Owning Group entity ref, e.g. `group:default/payments`. */
  owner: string;
  /** Number of distinct identities with open violations (may exceed what `violations` lists). */
  identityCount: number;
  /** Number of open violations in total (may exceed `violations.length`). */
  violationCount: number;
  /**
   * The most urgent violations: expired and soonest-expiring identities
   * first, then errors before warnings. At most `limitPerOwner`.
   */
  violations: DigestViolation[];
}

/**
 * Where the digest notifier reads from. The backend's inventory store
 * implements it: open (not resolved, not waived) violations of active
 * identities, grouped by owner, with one indexed query per call.
 */
export interface DigestSource {
  listOpenViolationsByOwner(options: {
    /** Lowest severity to include (`warning` includes errors). */
    minSeverity: Severity;
    /** Cap on `violations` per owner; counts stay exact. */
    limitPerOwner: number;
  }): Promise<OwnerViolations[]>;
}

/** What the notifier sends: the daily digest or the 7-day escalation. */
export type DigestKind = DigestClaimKey['kind'];

/** One sent (or being sent) notification: owner, UTC day (`YYYY-MM-DD`), kind. */
export type DigestClaim = DigestClaimKey;

/**
 * Remembers what was sent so each owner gets at most one digest (and one
 * escalation) per day, across restarts and replicas: `claim` is an insert
 * that returns `false` on a unique-key conflict, `release` a delete. The
 * backend uses the digest store (`notification_digests`).
 */
export type DigestLedger = DigestStore;

/** What one notifier run did. */
export interface DigestRunSummary {
  owners: number;
  digestsSent: number;
  escalationsSent: number;
  /** Owners skipped because today's digest was already sent. */
  alreadySent: number;
  failed: number;
}
