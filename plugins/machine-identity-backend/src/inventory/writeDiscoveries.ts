import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import type {
  AuditEventInput,
  BatchResult,
  IdentityRecord,
  IdentityWrite,
  InventoryStores,
} from '../database/types';
import { applyOwnership, ownershipInputOf } from '../ownership/applyOwnership';
import type { OwnershipResolveFn } from '../ownership/types';
import { catalogChanged, onlyLastSeenMoved } from './changeDetection';
import { mergeBatch, nextRecord } from './mergeDiscoveries';

/** One batch of one scan run's discoveries. */
export interface DiscoveryBatch {
  scanId: string;
  sourceId: string;
  discoveries: MachineIdentityDiscovery[];
  now: string;
  resolveOwnership: OwnershipResolveFn;
}

/**
 * Writes one batch of discoveries in one transaction: merges sightings into
 * the stored identities, resolves ownership, moves an identity in the change
 * feed only when the catalog would see a difference, and audits discoveries,
 * revivals and owner changes.
 */
export async function writeDiscoveries(stores: InventoryStores, batch: DiscoveryBatch): Promise<BatchResult> {
  const { sourceId, now, resolveOwnership } = batch;
  const { merged, observations } = mergeBatch(batch);
  const ids = [...merged.keys()];
  let added = 0;

  await stores.transaction(async tx => {
    const nextSeq = await stores.changes.allocator(tx);
    const existing = await stores.identities.getRecords(ids, tx);
    // Observation counts move incrementally: a batch sighting adds one unless it is already live.
    const live = await stores.identities.liveObservationKeys(
      ids.filter(id => existing.has(id)),
      sourceId,
      tx,
    );
    const addedSightings = new Map<string, number>();
    for (const [key, o] of observations) {
      if (!live.has(key)) {
        addedSightings.set(o.identityId, (addedSightings.get(o.identityId) ?? 0) + 1);
      }
    }
    const writes: IdentityWrite[] = [];
    const touchedOnly: string[] = [];
    const audit: AuditEventInput[] = [];
    for (const m of merged.values()) {
      const old = existing.get(m.id);
      const record: IdentityRecord = nextRecord(m, old, now, addedSightings.get(m.id) ?? 0);
      applyOwnership(record, resolveOwnership(ownershipInputOf(record)));
      const location = m.last.location;
      if (!old) {
        added += 1;
        audit.push({ identityId: m.id, at: now, action: 'discovered', message: `First seen by source ${sourceId} at ${location}` });
      } else if (old.state === 'gone') {
        record.state = 'active';
        record.stateChangedAt = now;
        audit.push({
          identityId: m.id,
          at: now,
          action: 'reappeared',
          message: `Seen again by source ${sourceId} at ${location}; state gone → active`,
        });
      }
      if (old && (old.owner !== record.owner || old.component !== record.component)) {
        audit.push({
          identityId: m.id,
          at: now,
          action: 'owner-changed',
          message: `Owner ${old.owner ?? 'none'} → ${record.owner ?? 'none'} (${record.ownershipVia})`,
        });
      }
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
    await stores.identities.upsertObservations([...observations.values()], tx);
    await stores.audit.append(audit, tx);
  });
  return { identityIds: ids, added };
}
