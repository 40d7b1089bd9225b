import type { IdentityState, RevocationState } from '@keyring/plugin-machine-identity-common';
import type { StoreTransaction } from '../database/InventoryDatabase';
import type { InventoryStores } from '../database/types';

/** A request's transition as the identity's state follows it. */
export interface RequestTransition {
  identityId: string;
  requestId: string;
  to: RevocationState;
  now: string;
}

/**
 * Which identity states a request transition moves the identity from, and to
 * (`to` as a function: verified credentials are gone unless still live
 * somewhere the request did not cover).
 */
const FOLLOW: Partial<Record<RevocationState, { from: IdentityState[]; to: (live: boolean) => IdentityState }>> = {
  approved: { from: ['active'], to: () => 'pending-revocation' },
  failed: { from: ['pending-revocation'], to: () => 'active' },
  executed: { from: ['pending-revocation'], to: () => 'revoked' },
  verified: { from: ['pending-revocation', 'revoked'], to: live => (live ? 'active' : 'gone') },
};

/**
 * Keeps the identity's `state` in step with its revocation, inside the
 * request's transaction: `pending-revocation` once approved, back to
 * `active` if the revoker failed, `revoked` once a revoker carried it out at
 * the source or CA (awaiting verification: a `revoked` identity scans still
 * see is revoked but still present, e.g. a certificate revoked at its ACME CA
 * and still served), `gone` once verified (a manual task goes from
 * `pending-revocation` straight to `gone`). Scans neither retire nor revive
 * pending or revoked identities; a verified one is `gone`, so a credential
 * that comes back is revived and `any.revoked-reappeared` judges it. Moves
 * `change_seq`, so the catalog entity shows it, and records an audit event.
 */
export function identityStateOnTransition(stores: InventoryStores) {
  return async (change: RequestTransition, tx: StoreTransaction): Promise<void> => {
    const follow = FOLLOW[change.to];
    if (!follow) return;
    const nextSeq = await stores.changes.allocator(tx);
    const before = (await stores.identities.getRecords([change.identityId], tx)).get(change.identityId);
    if (!before || !follow.from.includes(before.state)) return;
    const live = (await stores.identities.listLiveObservations([change.identityId], tx)).length > 0;
    const state = follow.to(live);
    const after = { ...before, state, stateChangedAt: change.now, changeSeq: nextSeq() };
    await stores.identities.writeRecords([{ before, after }], tx, ['state', 'stateChangedAt', 'changeSeq']);
    await stores.audit.append(
      [
        {
          identityId: change.identityId,
          at: change.now,
          action: state,
          message: `Revocation ${change.requestId} ${change.to}; state ${before.state} → ${state}`,
          before: { state: before.state },
          after: { state },
        },
      ],
      tx,
    );
  };
}
