import type { StoreTransaction } from '../database/InventoryDatabase';
import type {
  AuditEventInput,
  IdentityRecord,
  IdentityWrite,
  InventoryStores,
  ObservationRecord,
} from '../database/types';
import { diffViolations } from '../policy/diffViolations';

/** What a succeeded run knows when it ends. */
export interface RetirementInput {
  scanId: string;
  sourceId: string;
  now: string;
  /** Whether the run has positive evidence for a location (see `coverageOf`). */
  isCovered: (location: string) => boolean;
  /** Largest share of the source's active identities one run may retire unconfirmed. */
  maxShare: number;
}

/** What the rule did. */
export interface RetirementOutcome {
  /** Identities now `gone`. */
  retired: string[];
  /** Identities not seen but kept: a place they were last seen is not covered. */
  kept: number;
  /** Identities the share guard held back; the next run of the source confirms them. */
  held: string[];
  /** Active identities of the source before the run retired any. */
  activeInSource: number;
}

const key = (o: ObservationRecord) => JSON.stringify([o.identityId, o.location]);

/** Marks identities gone, resolving their open violations; one feed move each. */
async function markGone(
  stores: InventoryStores,
  records: IdentityRecord[],
  options: { sourceId: string; now: string },
  tx: StoreTransaction,
): Promise<void> {
  const { sourceId, now } = options;
  const nextSeq = await stores.changes.allocator(tx);
  const open = await stores.violations.listOpenFor(records.map(r => r.id), tx);
  const verdicts = diffViolations(open, new Map(records.map(r => [r.id, []])), now);
  await stores.violations.write(verdicts.writes, tx);
  const writes: IdentityWrite[] = [];
  const audit: AuditEventInput[] = [...verdicts.audit];
  for (const before of records) {
    const after = { ...before, state: 'gone' as const, stateChangedAt: now, violationCount: 0, changeSeq: nextSeq() };
    writes.push({ before, after });
    audit.push({
      identityId: after.id,
      at: now,
      action: 'gone',
      message: `No longer seen by a complete scan of source ${sourceId}, which had positive evidence for every place it was last seen; state active → gone`,
    });
  }
  await stores.identities.writeRecords(writes, tx, ['state', 'stateChangedAt', 'violationCount', 'changeSeq']);
  await stores.audit.append(audit, tx);
}

/**
 * Retirement only on evidence, after a succeeded run. An observation the run
 * did not refresh is gone only where the run covered its location; an
 * identity is retired only when every live observation it has (in any source)
 * is such a covered-and-absent one. Identities last seen somewhere uncovered
 * are kept. When the identities to retire exceed `maxShare` of the source's
 * active identities, nothing new is retired: they are held, and retired when
 * the source's next finished run confirms them.
 */
export async function retireUnseen(
  stores: InventoryStores,
  input: RetirementInput,
  tx?: StoreTransaction,
): Promise<RetirementOutcome> {
  const { scanId, sourceId, now } = input;
  return stores.transaction(async t => {
    // What the run saw unchanged was logged, not written: apply it before reading what the run refreshed.
    await stores.sightings.apply(scanId, sourceId, t);
    const stale = await stores.identities.listUnrefreshedObservations(sourceId, scanId, t);
    if (stale.length === 0) {
      return { retired: [], kept: 0, held: [], activeInSource: 0 };
    }
    const covered = stale.filter(o => input.isCovered(o.location));
    const coveredKeys = new Set(covered.map(key));
    const activeInSource = await stores.identities.countActiveInSource(sourceId, t);
    const live = await stores.identities.listLiveObservations([...new Set(stale.map(o => o.identityId))], t);
    const seen = new Set(live.filter(o => o.lastScanId === scanId).map(o => o.identityId));
    // Kept: not seen by this run anywhere, and last seen somewhere the run has no evidence for.
    const kept = new Set(stale.filter(o => !coveredKeys.has(key(o)) && !seen.has(o.identityId)).map(o => o.identityId));

    // Candidates: identities whose every live observation is covered and absent.
    const ids = [...new Set(covered.map(o => o.identityId))];
    const blocked = new Set(live.filter(o => !coveredKeys.has(key(o))).map(o => o.identityId));
    const records = await stores.identities.getRecords(ids.filter(id => !blocked.has(id)), t);
    const candidates = [...records.values()].filter(r => r.state === 'active');

    const confirmed = await stores.scanRuns.getPreviousHeldRetirement(sourceId, scanId, t);
    const fresh = candidates.filter(r => !confirmed.has(r.id));
    const hold = fresh.length > input.maxShare * activeInSource;
    const retire = hold ? candidates.filter(r => confirmed.has(r.id)) : candidates;
    const held = new Set(hold ? fresh.map(r => r.id) : []);

    await stores.identities.markObservationsGone(covered.filter(o => !held.has(o.identityId)), now, t);
    if (retire.length > 0) {
      await markGone(stores, retire, { sourceId, now }, t);
    }
    return { retired: retire.map(r => r.id), kept: kept.size, held: [...held], activeInSource };
  }, tx);
}
