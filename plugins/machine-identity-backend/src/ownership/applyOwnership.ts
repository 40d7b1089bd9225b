import type { IdentityRecord } from '../database/types';
import type { OwnershipDecision, OwnershipInput } from './types';

/** What ownership resolution reads from a stored identity. */
export function ownershipInputOf(record: IdentityRecord): OwnershipInput {
  return {
    type: record.type,
    ownerHint: record.ownerHint,
    links: record.links,
    sshLogins: record.sshLogins?.map(([host, account]) => ({ host, account })),
    reviewOwner: record.reviewOwner,
    reviewComponent: record.reviewComponent,
  };
}

/** Whether the decision differs from the ownership the record holds. */
export function ownershipDiffers(record: IdentityRecord, decision: OwnershipDecision): boolean {
  return (
    record.owner !== decision.owner ||
    record.component !== decision.component ||
    record.ownershipRule !== decision.rule ||
    record.ownershipVia !== decision.via
  );
}

/** Writes a decision into a record. */
export function applyOwnership(record: IdentityRecord, decision: OwnershipDecision): void {
  record.owner = decision.owner;
  record.component = decision.component;
  record.ownershipRule = decision.rule;
  record.ownershipVia = decision.via;
}
