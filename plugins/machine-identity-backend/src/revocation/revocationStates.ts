import { ConflictError } from '@backstage/errors';
import type { RevocationState } from '@keyring/plugin-machine-identity-common';

/**
 * The revocation workflow's allowed transitions. `manual` is a tracked task:
 * a person revokes by hand and the next scan that no longer sees the
 * credential closes it `verified`, as for an executed revocation.
 */
const TRANSITIONS: Readonly<Record<RevocationState, readonly RevocationState[]>> = {
  requested: ['approved', 'rejected', 'expired'],
  approved: ['executing'],
  executing: ['executed', 'failed', 'manual'],
  executed: ['verified'],
  manual: ['verified'],
  verified: [],
  rejected: [],
  failed: [],
  expired: [],
};

/** Whether a request may move from `from` to `to`. */
export function canTransition(from: RevocationState, to: RevocationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a ConflictError (409) naming both states when the transition is not allowed. */
export function assertTransition(id: string, from: RevocationState, to: RevocationState): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(
      `Revocation request ${id} is ${from}; it cannot become ${to} (allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none, it is closed'})`,
    );
  }
}

/** The audit action of entering a state, e.g. `revocation-approved`. */
export function auditAction(state: RevocationState | 'reappeared' | 'flagged-shared'): string {
  return `revocation-${state}`;
}
