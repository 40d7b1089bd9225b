import type { AuditEventInput, IdentityWrite, InventoryStores } from '../database/types';
import { catalogChanged } from '../inventory/changeDetection';
import { applyOwnership, ownershipDiffers, ownershipInputOf } from './applyOwnership';
import type { OwnershipResolveFn } from './types';

const PAGE = 1000;

/**
 * Re-resolves ownership of every identity, a page per transaction; returns
 * the ids of those whose ownership changed. An identity moves in the change
 * feed only when the catalog would see the difference.
 */
export async function reresolveOwnership(
  stores: InventoryStores,
  resolve: OwnershipResolveFn,
  now: string,
): Promise<string[]> {
  const changed: string[] = [];
  let afterId = '';
  for (;;) {
    const done = await stores.transaction(async tx => {
      const nextSeq = await stores.changes.allocator(tx);
      const records = await stores.identities.listRecords({ afterId, limit: PAGE }, tx);
      if (records.length === 0) {
        return true;
      }
      afterId = records[records.length - 1].id;
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
      changed.push(...writes.map(w => w.after.id));
      return records.length < PAGE;
    });
    if (done) {
      return changed;
    }
  }
}
