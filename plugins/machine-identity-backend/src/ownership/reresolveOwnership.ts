import type { AuditEventInput, IdentityRecord, IdentityWrite, InventoryStores } from '../database/types';
import type { StoreTransaction } from '../database/InventoryDatabase';
import { catalogChanged } from '../inventory/changeDetection';
import { applyOwnership, ownershipDiffers, ownershipInputOf } from './applyOwnership';
import type { OwnershipResolveFn } from './types';

const PAGE = 1000;

/**
 * Re-resolves ownership of every identity, or only of `ids`, a page per
 * transaction; returns the ids of those whose ownership changed. An identity
 * moves in the change feed only when the catalog would see the difference.
 */
export async function reresolveOwnership(
  stores: InventoryStores,
  resolve: OwnershipResolveFn,
  now: string,
  options: { ids?: string[] } = {},
): Promise<string[]> {
  const changed: string[] = [];
  const { ids } = options;
  let afterId = '';
  for (let page = 0; ; page++) {
    const done = await stores.transaction(async tx => {
      const nextSeq = await stores.changes.allocator(tx);
      const records = ids
        ? [...(await stores.identities.getRecords(ids.slice(page * PAGE, (page + 1) * PAGE), tx)).values()]
        : await stores.identities.listRecords({ afterId, limit: PAGE }, tx);
      if (records.length === 0) {
        return ids ? (page + 1) * PAGE >= ids.length : true;
      }
      afterId = records[records.length - 1].id;
      const written = await reresolveRecords(stores, tx, records, resolve, nextSeq, now);
      changed.push(...written);
      return ids ? (page + 1) * PAGE >= ids.length : records.length < PAGE;
    });
    if (done) {
      return changed;
    }
  }
}

/** Writes the records whose ownership the resolver now decides differently, with an audit event per owner change. */
async function reresolveRecords(
  stores: InventoryStores,
  tx: StoreTransaction,
  records: IdentityRecord[],
  resolve: OwnershipResolveFn,
  nextSeq: () => number,
  now: string,
): Promise<string[]> {
  const writes: IdentityWrite[] = [];
  const audit: AuditEventInput[] = [];
  for (const before of records) {
    const decision = resolve(ownershipInputOf(before));
    if (!ownershipDiffers(before, decision)) {
      continue;
    }
    const after = { ...before };
    applyOwnership(after, decision);
    if (catalogChanged(before, after)) {
      after.changeSeq = nextSeq();
    }
    if (before.owner !== after.owner) {
      audit.push({
        identityId: after.id,
        at: now,
        action: 'owner-changed',
        message: `Owner ${before.owner ?? 'none'} → ${after.owner ?? 'none'} (${decision.via})`,
      });
    }
    writes.push({ before, after });
  }
  await stores.identities.writeRecords(writes, tx, ['owner', 'component', 'ownershipRule', 'ownershipVia', 'changeSeq']);
  await stores.audit.append(audit, tx);
  return writes.map(w => w.after.id);
}
