import { NotFoundError } from '@backstage/errors';
import type { InventoryStores, Waiver } from '../database/types';
import { validateWaiver } from '../policy/applyWaivers';
import { recordWaiver } from '../policy/recordWaiver';

/** A waiver request as the API receives it, with the approving user. */
export interface WaiverRequest {
  identityId: string;
  ruleId: string;
  reason: string;
  expiresAt: string;
  /** Entity ref of the approving user, e.g. `user:default/alice`. */
  approver: string;
}

/**
 * Grants policy waivers: one rule waived for one identity, with reason,
 * approver and expiry. The grant is written to the audit log by the store and
 * the identity is re-evaluated at once, so the waived violation resolves
 * without waiting for the next scan or the hourly evaluation.
 */
export class WaiverService {
  private constructor(
    private readonly store: InventoryStores,
    private readonly knowsRule: (id: string) => boolean,
    private readonly evaluate: (ids: string[], now: Date) => Promise<unknown>,
  ) {}

  /**
   * Creates the service; `knowsRule` is the policy engine's rule check and
   * `evaluate` re-evaluates identities (the `ViolationEvaluator`).
   */
  static create(options: {
    store: InventoryStores;
    knowsRule: (id: string) => boolean;
    evaluate: (ids: string[], now: Date) => Promise<unknown>;
  }): WaiverService {
    return new WaiverService(options.store, options.knowsRule, options.evaluate);
  }

  /**
   * Validates and stores a waiver, then re-evaluates the identity. Throws
   * `NotFoundError` for an unknown identity and `InputError` for an unknown
   * rule, a missing reason or a missing, past or too distant expiry.
   */
  async grant(request: WaiverRequest, now: Date = new Date()): Promise<Waiver> {
    const identity = await this.store.identities.get(request.identityId);
    if (!identity) {
      throw new NotFoundError(`No identity with id "${request.identityId.slice(0, 100)}"`);
    }
    validateWaiver(request, { now, knowsRule: this.knowsRule });
    const waiver = await recordWaiver(
      this.store,
      {
        identityId: identity.id,
        ruleId: request.ruleId,
        reason: request.reason.trim(),
        approver: request.approver,
        // Stored expiries are compared as strings: keep them in one ISO-8601 UTC form.
        expiresAt: new Date(request.expiresAt).toISOString(),
      },
      now.toISOString(),
    );
    await this.evaluate([identity.id], now);
    return waiver;
  }
}
