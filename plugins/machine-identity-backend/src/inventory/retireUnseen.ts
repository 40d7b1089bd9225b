import type { AuditEventInput, IdentityWrite, InventoryStores } from '../database/types';
import { diffViolations } from '../policy/diffViolations';

/**
 * After a succeeded run: marks observations of the source not refreshed by
 * the run as gone, and identities left with no live observation as `gone`;
 * their open violations resolve in the same transaction (a gone identity is
 * not evaluated). Returns the ids of the identities retired.
 */
export async function retireUnseen(
  stores: InventoryStores,
  options: { scanId: string; sourceId: string; now: string },
): Promise<string[]> {
  const { scanId, sourceId, now } = options;
  return stores.transaction(async tx => {
    const nextSeq = await stores.changes.allocator(tx);
    const stale = await stores.identities.listUnrefreshedObservations(sourceId, scanId, tx);
    if (stale.length === 0) {
      return [];
    }
    await stores.identities.markObservationsGone(stale, now, tx);
    const unobserved = await stores.identities.listUnobserved([...new Set(stale.map(o => o.identityId))], tx);
    const open = await stores.violations.listOpenFor(unobserved.map(r => r.id), tx);
    const verdicts = diffViolations(open, new Map(unobserved.map(r => [r.id, []])), now);
    await stores.violations.write(verdicts.writes, tx);
    const writes: IdentityWrite[] = [];
    const audit: AuditEventInput[] = [...verdicts.audit];
    for (const before of unobserved) {
      const after = { ...before, state: 'gone' as const, stateChangedAt: now, violationCount: 0, changeSeq: nextSeq() };
      writes.push({ before, after });
      audit.push({
        identityId: after.id,
        at: now,
        action: 'gone',
        message: `No longer seen by a complete scan of source ${sourceId}; state active → gone`,
      });
    }
    await stores.identities.writeRecords(writes, tx, ['state', 'stateChangedAt', 'violationCount', 'changeSeq']);
    await stores.audit.append(audit, tx);
    return writes.map(w => w.after.id);
  });
}
