import { InputError } from '@backstage/errors';

/**
 * An exception: one rule waived for one identity, with who approved it, why,
 * and until when, as a request names it.
 */
export interface PolicyWaiver {
  identityId: string;
  ruleId: string;
  reason: string;
  /** Entity ref of the approver, e.g. `user:default/alice`. */
  approver: string;
  /**
   * ISO-8601; the waiver stops applying at this instant. Stored waivers may
   * lack it (open-ended), but {@link validateWaiver} requires one for new waivers.
   */
  expiresAt?: string;
  createdAt?: string;
}

/** A rule result that a waiver suppressed. */
/**
 * Validates a waiver request before the backend stores it: a known rule, a
 * reason, an approver, and an expiry in the future no further than
 * `maxDays` away (default 365). Throws `InputError` otherwise.
 */
export function validateWaiver(
  waiver: PolicyWaiver,
  options: { now: Date; knowsRule: (id: string) => boolean; maxDays?: number },
): void {
  const { now, knowsRule, maxDays = 365 } = options;
  if (!waiver.identityId) {
    throw new InputError('A waiver needs an identityId');
  }
  if (!knowsRule(waiver.ruleId)) {
    throw new InputError(`Unknown rule "${waiver.ruleId}"`);
  }
  if (!waiver.reason || waiver.reason.trim().length < 3) {
    throw new InputError('A waiver needs a reason');
  }
  if (!waiver.approver || !waiver.approver.trim()) {
    throw new InputError('A waiver needs an approver');
  }
  if (!waiver.expiresAt) {
    throw new InputError('A waiver needs an expiry (expiresAt)');
  }
  const expires = Date.parse(waiver.expiresAt);
  if (Number.isNaN(expires)) {
    throw new InputError(`Waiver expiry "${waiver.expiresAt}" is not an ISO-8601 date`);
  }
  if (expires <= now.getTime()) {
    throw new InputError('A waiver must expire in the future');
  }
  if (expires - now.getTime() > maxDays * 86_400_000) {
    throw new InputError(`A waiver may last at most ${maxDays} days`);
  }
}
