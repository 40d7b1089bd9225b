import type { Severity } from '@keyring/plugin-machine-identity-common';
import type { ViolationListItem, ViolationStore } from '../database/types';
import type { DigestSource, DigestViolation, OwnerViolations } from './types';

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

/** Expired and soonest-expiring first, then errors before warnings, then by identity. */
function byUrgency(a: DigestViolation, b: DigestViolation): number {
  return (
    (a.notAfter ?? '\uffff').localeCompare(b.notAfter ?? '\uffff') ||
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    a.identityId.localeCompare(b.identityId)
  );
}

/** Groups open violations (ordered by owner) per owner, most urgent first, at most `limitPerOwner` listed. */
export function groupByOwner(items: ViolationListItem[], limitPerOwner: number): OwnerViolations[] {
  const byOwner = new Map<string, { ids: Set<string>; items: DigestViolation[] }>();
  for (const v of items) {
    if (!v.owner) continue;
    const entry = byOwner.get(v.owner) ?? { ids: new Set(), items: [] };
    entry.ids.add(v.identityId);
    entry.items.push({
      identityId: v.identityId,
      displayName: v.identityDisplayName,
      type: v.identityType,
      ruleId: v.ruleId,
      severity: v.severity,
      message: v.message,
      firstDetected: v.firstDetected,
      notAfter: v.notAfter,
    });
    byOwner.set(v.owner, entry);
  }
  return [...byOwner].map(([owner, { ids, items: list }]) => ({
    owner,
    identityCount: ids.size,
    violationCount: list.length,
    violations: list.sort(byUrgency).slice(0, limitPerOwner),
  }));
}

/**
 * The digest notifier's {@link DigestSource}: open (not resolved, not
 * waived) violations of live identities from the violation store, grouped by
 * owner.
 */
export class ViolationDigestSource implements DigestSource {
  private constructor(private readonly violations: ViolationStore) {}

  /** A source reading the given violation store. */
  static create(options: { violations: ViolationStore }): ViolationDigestSource {
    return new ViolationDigestSource(options.violations);
  }

  async listOpenViolationsByOwner(options: { minSeverity: Severity; limitPerOwner: number }): Promise<OwnerViolations[]> {
    const severities = SEVERITY_ORDER.slice(0, SEVERITY_ORDER.indexOf(options.minSeverity) + 1);
    return groupByOwner(await this.violations.listOpenOwned({ severities }), options.limitPerOwner);
  }
}
