import { InputError } from '@backstage/errors';
import type { RuleResult } from './types';

/**
 * An exception: one rule waived for one identity, with who approved it, why,
 * and until when. Stored by the backend (table `waivers`) and recorded in the
 * audit log; the policy engine itself stays pure.
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
export interface WaivedRuleResult extends RuleResult {
  waiver: PolicyWaiver;
}

/** Results split by {@link applyWaivers}. */
export interface WaiverOutcome {
  /** Results that remain violations. */
  results: RuleResult[];
  /** Results suppressed by a current waiver (kept for the UI and audit). */
  waived: WaivedRuleResult[];
}

/**
 * Removes results that a current waiver covers. A waiver applies while
 * `now < expiresAt`; from its expiry instant on the violation is back.
 * Pass the waivers of the identity the results belong to (waivers of other
 * identities are ignored when `identityId` is given).
 */
export function applyWaivers(
  results: readonly RuleResult[],
  waivers: readonly PolicyWaiver[],
  now: Date,
  identityId?: string,
): WaiverOutcome {
  if (waivers.length === 0) {
    return { results: [...results], waived: [] };
  }
  const nowMs = now.getTime();
  const current = new Map<string, PolicyWaiver>();
  for (const waiver of waivers) {
    if (identityId !== undefined && waiver.identityId !== identityId) {
      continue;
    }
    const expires = waiver.expiresAt === undefined ? Infinity : Date.parse(waiver.expiresAt);
    if (Number.isNaN(expires) || nowMs >= expires) {
      continue;
    }
    const existing = current.get(waiver.ruleId);
    const existingExpires =
      existing && (existing.expiresAt === undefined ? Infinity : Date.parse(existing.expiresAt));
    if (!existing || existingExpires! < expires) {
      current.set(waiver.ruleId, waiver);
    }
  }
  const outcome: WaiverOutcome = { results: [], waived: [] };
  for (const result of results) {
    const waiver = current.get(result.ruleId);
    if (waiver) {
      outcome.waived.push({ ...result, waiver });
    } else {
      outcome.results.push(result);
    }
  }
  return outcome;
}

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
