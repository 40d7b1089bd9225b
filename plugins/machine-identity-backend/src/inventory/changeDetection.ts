import type { IdentityRecord } from '../database/types';

/** Fields whose change is visible in the catalog entity; only they move an identity in the change feed. */
function catalogKey(r: IdentityRecord): string {
  return JSON.stringify([
    r.displayName,
    r.owner ?? null,
    r.component ?? null,
    r.ownershipRule,
    r.state,
    r.management,
    r.notAfter ?? null,
    r.reviewStatus,
    r.violationCount > 0,
  ]);
}

/** Whether the catalog would see a difference between the two versions (or the identity is new). */
export function catalogChanged(before: IdentityRecord | undefined, after: IdentityRecord): boolean {
  return !before || catalogKey(before) !== catalogKey(after);
}

const SCALARS = [
  'type',
  'fingerprintSha256',
  'displayName',
  'subject',
  'notAfter',
  'owner',
  'component',
  'ownershipRule',
  'ownershipVia',
  'reviewOwner',
  'reviewComponent',
  'state',
  'stateChangedAt',
  'management',
  'firstSeen',
  'changeSeq',
  'observationCount',
  'violationCount',
  'reviewStatus',
] as const satisfies readonly (keyof IdentityRecord)[];
const STRUCTURED = ['attributes', 'ownerHint', 'links', 'sshLogins'] as const satisfies readonly (keyof IdentityRecord)[];

/** Whether a re-seen identity differs from its stored version in nothing but `lastSeen`. */
export function onlyLastSeenMoved(before: IdentityRecord, after: IdentityRecord): boolean {
  for (const key of SCALARS) {
    if (before[key] !== after[key]) return false;
  }
  for (const key of STRUCTURED) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) return false;
  }
  return true;
}
