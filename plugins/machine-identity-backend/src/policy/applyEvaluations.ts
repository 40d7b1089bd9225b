import { chunks } from '../database/InventoryDatabase';
import type { EvaluatedViolation, IdentityWrite, InventoryStores } from '../database/types';
import { catalogChanged } from '../inventory/changeDetection';
import { diffViolations } from './diffViolations';

/**
 * Replaces the open violations of each identity with `results`, a chunk per
 * transaction: keeps first detection of violations still present, resolves
 * the rest, updates the violation count and moves the identity in the change
 * feed when its compliance flips.
 */
export async function applyEvaluations(
  stores: InventoryStores,
  results: Map<string, EvaluatedViolation[]>,
  now: string,
): Promise<{ opened: number; resolved: number }> {
  let opened = 0;
  let resolved = 0;
  for (const chunk of chunks([...results.keys()])) {
    await stores.transaction(async tx => {
      const open = await stores.violations.listOpenFor(chunk, tx);
      const { writes, audit } = diffViolations(open, new Map(chunk.map(id => [id, results.get(id)!])), now);
      await stores.violations.write(writes, tx);
      opened += writes.opened.length;
      resolved += writes.resolved.length;
      if (writes.opened.length === 0 && writes.resolved.length === 0) {
        return;
      }
      const nextSeq = await stores.changes.allocator(tx);
      const records = await stores.identities.getRecords(chunk, tx);
      const updates: IdentityWrite[] = [];
      for (const before of records.values()) {
        const count = results.get(before.id)!.length;
        if (before.violationCount === count) continue;
        const after = { ...before, violationCount: count };
        if (catalogChanged(before, after)) {
          after.changeSeq = nextSeq();
        }
        updates.push({ before, after });
      }
      await stores.identities.writeRecords(updates, tx, ['violationCount', 'changeSeq']);
      await stores.audit.append(audit, tx);
    });
  }
  return { opened, resolved };
}
