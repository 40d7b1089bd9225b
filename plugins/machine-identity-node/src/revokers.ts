import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  Identity,
  Observation,
} from '@keyring/plugin-machine-identity-common';
import type { ScanSourceConfig } from './types';

/** One credential to revoke, with the places scans last saw it. */
export interface RevocationTarget {
  /** The revocation request's id (for logs and idempotency). */
  requestId: string;
  /** Why it is revoked, as the requester wrote it. */
  reason: string;
  identity: Identity;
  /** Active observations of the identity, each with its source's config. */
  observations: Array<Observation & { source?: ScanSourceConfig }>;
}

/** What a revoker did. */
export interface RevocationOutcome {
  /**
   * `executed`: the credential was revoked where it lives (verification by
   * re-scan follows). `manual`: the revoker cannot act here; `message`
   * says what a person must do.
   */
  outcome: 'executed' | 'manual';
  /** One sentence for the request's history, never secret material. */
  message: string;
  /** Machine-readable facts (file backed up to, key id deactivated). */
  details?: Record<string, unknown>;
}

/** What a revoker gets for one execution. */
export interface RevokerContext {
  logger: LoggerService;
  signal: AbortSignal;
}

/**
 * Carries out a revocation for one kind of credential and place (SSH
 * authorized_keys files, AWS access keys, Kubernetes Secrets, ACME
 * certificates). Throwing fails the request with the error's message and
 * must leave the credential untouched.
 */
export interface MachineIdentityRevoker {
  /** Stable kebab-case id, e.g. `ssh-authorized-keys`. */
  readonly id: string;
  /** Whether this revoker can act on the target (by type and source type). */
  canRevoke(target: RevocationTarget): boolean;
  revoke(target: RevocationTarget, context: RevokerContext): Promise<RevocationOutcome>;
}
