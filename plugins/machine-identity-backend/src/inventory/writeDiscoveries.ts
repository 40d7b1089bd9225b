import type { Observation } from '@keyring/plugin-machine-identity-common';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { json, recordToIdentity, recordToObservation } from '../database/rowMapping';
import type {
  AuditEventInput,
  BatchResult,
  EvaluatedViolation,
  IdentityRecord,
  IdentityWrite,
  InventoryStores,
  ObservationRecord,
} from '../database/types';
import type { StoreTransaction } from '../database/InventoryDatabase';
import { applyOwnership, ownershipInputOf } from '../ownership/applyOwnership';
import type { OwnershipResolveFn } from '../ownership/types';
import { diffViolations } from '../policy/diffViolations';
import type { PolicyEvaluation } from '../policy/PolicyEvaluation';
import { catalogChanged, onlyLastSeenMoved } from './changeDetection';
import { type MergedDiscovery, mergeBatch, nextRecord } from './mergeDiscoveries';

/** One batch of one scan run's discoveries (validated by the engine). */
export interface DiscoveryBatch {
  scanId: string;
  sourceId: string;
  discoveries: MachineIdentityDiscovery[];
  now: string;
  resolveOwnership: OwnershipResolveFn;
  /**
   * The policy verdict, evaluated inside the write so each identity's
   * violations and violation count land with it; without it violations are
   * left as they are.
   */
  policy?: PolicyEvaluation;
  /**
   * The version of the inputs besides the discoveries that decide a record
   * (the Component index); it is part of each sighting's content hash.
   */
  inputVersion?: string;
  /** The run's lease: the write is refused (`ConflictError`) once the run no longer holds it. */
  leaseToken?: string;
}

const key = (o: { identityId: string; location: string }) => JSON.stringify([o.identityId, o.location]);

/** Live observations per identity after this batch: stored ones overlaid with the batch's. */
function observationsAfter(stored: ObservationRecord[], batch: Map<string, ObservationRecord>) {
  const byKey = new Map(stored.map(o => [key(o), o]));
  for (const [k, o] of batch) byKey.set(k, o);
  const byId = new Map<string, Observation[]>();
  for (const o of byKey.values()) {
    byId.set(o.identityId, [...(byId.get(o.identityId) ?? []), recordToObservation(o)]);
  }
  return byId;
}

/** The audit events of one identity's new version. */
function auditOf(m: MergedDiscovery, old: IdentityRecord | undefined, record: IdentityRecord, sourceId: string, now: string) {
  const out: AuditEventInput[] = [];
  const location = m.last.location;
  if (!old) {
    out.push({ identityId: m.id, at: now, action: 'discovered', message: `First seen by source ${sourceId} at ${location}` });
  } else if (old.state === 'gone') {
    out.push({
      identityId: m.id,
      at: now,
      action: 'reappeared',
      message: `Seen again by source ${sourceId} at ${location}; state gone → active`,
    });
  }
  if (old && (old.owner !== record.owner || old.component !== record.component)) {
    out.push({
      identityId: m.id,
      at: now,
      action: 'owner-changed',
      message: `Owner ${old.owner ?? 'none'} → ${record.owner ?? 'none'} (${record.ownershipVia})`,
    });
  }
  return out;
}

/**
 * Evaluates the batch's identities and sets each record's violation count;
 * returns the violation writes, to be made once the identities are written
 * (the triggers that keep an identity's urgency rank update its row, so a new
 * identity's row must exist when its violations land).
 */
async function evaluateVerdicts(
  stores: InventoryStores,
  policy: PolicyEvaluation,
  records: IdentityRecord[],
  existing: Map<string, IdentityRecord>,
  observations: Map<string, Observation[]>,
  now: string,
  tx: StoreTransaction,
): Promise<ReturnType<typeof diffViolations>> {
  const ids = records.map(r => r.id);
  const waived = await stores.violations.getActiveWaiverKeys(ids, now, tx);
  const index = policy.componentIndex();
  const clock = new Date(now);
  const results = new Map<string, EvaluatedViolation[]>();
  for (const record of records) {
    const verdict = policy.evaluate(recordToIdentity(record), observations.get(record.id) ?? [], waived, clock, index);
    if (verdict) {
      results.set(record.id, verdict);
      record.violationCount = verdict.length;
    }
  }
  const open = await stores.violations.listOpenFor(ids.filter(id => existing.has(id)), tx);
  return diffViolations(open, results, now);
}

/** The batch's identities whose input changed (the rest were logged as seen unchanged). */
function changedOnly(
  merged: Map<string, MergedDiscovery>,
  observations: Map<string, ObservationRecord>,
  unchanged: Set<string>,
) {
  const changed = { merged: new Map<string, MergedDiscovery>(), observations: new Map<string, ObservationRecord>() };
  for (const [id, m] of merged) if (!unchanged.has(id)) changed.merged.set(id, m);
  for (const [k, o] of observations) if (!unchanged.has(o.identityId)) changed.observations.set(k, o);
  return changed;
}

/** Merges, resolves, evaluates and writes the identities whose input changed (under the identity write lock). */
async function writeChanged(
  stores: InventoryStores,
  batch: DiscoveryBatch,
  { merged, observations }: { merged: Map<string, MergedDiscovery>; observations: Map<string, ObservationRecord> },
  tx: StoreTransaction,
): Promise<number> {
  const { sourceId, now, resolveOwnership, policy } = batch;
  const ids = [...merged.keys()];
  let added = 0;
  const nextSeq = await stores.changes.allocator(tx);
  const existing = await stores.identities.getRecords(ids, tx);
  // Policy needs every live observation in full; without it keys and counts are enough.
  const stored = await stores.identities.listLiveObservations(
    ids.filter(id => existing.has(id)),
    tx,
    { withDetails: Boolean(policy) },
  );
  // Observation counts move incrementally: a batch sighting adds one unless it is already live.
  const live = new Set(stored.filter(o => o.sourceId === sourceId).map(key));
  const addedSightings = new Map<string, number>();
  for (const [k, o] of observations) {
    if (!live.has(k)) {
      addedSightings.set(o.identityId, (addedSightings.get(o.identityId) ?? 0) + 1);
    }
  }
  const records: IdentityRecord[] = [];
  const audit: AuditEventInput[] = [];
  for (const m of merged.values()) {
    const old = existing.get(m.id);
    const record = nextRecord(m, old, now, addedSightings.get(m.id) ?? 0);
    applyOwnership(record, resolveOwnership(ownershipInputOf(record)));
    if (old?.state === 'gone') {
      record.state = 'active';
      record.stateChangedAt = now;
    }
    added += old ? 0 : 1;
    audit.push(...auditOf(m, old, record, sourceId, now));
    records.push(record);
  }
  const verdicts = policy
    ? await evaluateVerdicts(stores, policy, records, existing, observationsAfter(stored, observations), now, tx)
    : undefined;
  const writes: IdentityWrite[] = [];
  const touchedOnly: string[] = [];
  for (const record of records) {
    const old = existing.get(record.id);
    if (catalogChanged(old, record)) {
      record.changeSeq = nextSeq();
    }
    if (old && onlyLastSeenMoved(old, record)) {
      touchedOnly.push(record.id);
    } else {
      writes.push({ before: old, after: record });
    }
  }
  await stores.identities.writeRecords(writes, tx);
  await stores.identities.touch(touchedOnly, now, tx);
  if (verdicts) {
    await stores.violations.write(verdicts.writes, tx);
    audit.push(...verdicts.audit);
  }
  // A live observation seen again with the same details only moves its last_seen / last_scan_id / content_hash.
  const liveDetails = await stores.identities.listLiveDetails(ids.filter(id => existing.has(id)), sourceId, tx);
  const refreshed: ObservationRecord[] = [];
  const upserted: ObservationRecord[] = [];
  for (const [k, o] of observations) {
    const unchanged = liveDetails.has(k) && liveDetails.get(k) === json(o.details);
    (unchanged ? refreshed : upserted).push(o);
  }
  await stores.identities.refreshObservations(refreshed, tx);
  await stores.identities.upsertObservations(upserted, tx);
  await stores.audit.append(audit, tx);
  return added;
}

/**
 * The ingestion pipeline for one batch, in one transaction. One statement
 * compares each sighting's content hash with the source's live observation and
 * logs the identities whose every sighting is unchanged as seen (one row for the
 * batch; the run's end moves their `last_seen` set-based) — no lock, no
 * merge, no ownership or policy, no change-feed move. The rest are merged into
 * the stored identities, ownership resolved, policy evaluated, then
 * identities, observations, violations and audit events written. An identity
 * moves in the change feed at most once per batch, and only when the catalog
 * would see a difference.
 */
export async function writeDiscoveries(stores: InventoryStores, batch: DiscoveryBatch): Promise<BatchResult> {
  const { merged, observations } = mergeBatch(batch);
  const ids = [...merged.keys()];
  let added = 0;
  await stores.transaction(async tx => {
    if (batch.leaseToken) {
      await stores.scanRuns.assertLease(batch.scanId, batch.leaseToken, tx);
    }
    const unchanged = await stores.sightings.logUnchanged(
      { scanId: batch.scanId, sourceId: batch.sourceId, seenAt: batch.now },
      [...observations.values()].map(o => [o.identityId, o.location, o.contentHash ?? null]),
      tx,
    );
    const changed = changedOnly(merged, observations, unchanged);
    if (changed.merged.size > 0) {
      added = await writeChanged(stores, batch, changed, tx);
    }
  });
  return { identityIds: ids, added };
}
