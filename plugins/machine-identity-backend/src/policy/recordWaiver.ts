import type { InventoryStores, Waiver } from '../database/types';

/** Stores a waiver and its audit event in one transaction. */
export async function recordWaiver(
  stores: InventoryStores,
  waiver: Omit<Waiver, 'id' | 'createdAt'>,
  now: string,
): Promise<Waiver> {
  return stores.transaction(async tx => {
    const stored = await stores.violations.addWaiver(waiver, now, tx);
    await stores.audit.append(
      [
        {
          identityId: waiver.identityId,
          at: now,
          action: 'waiver-added',
          actor: waiver.approver,
          message: `Waived ${waiver.ruleId}${waiver.expiresAt ? ` until ${waiver.expiresAt}` : ''}: ${waiver.reason}`,
        },
      ],
      tx,
    );
    return stored;
  });
}
