import { InputError } from '@backstage/errors';
import { normalizeOwnerRef } from '../ownership/refs';
import type { EvidenceScope } from './EvidenceQuery';
import type { EvidenceFormat } from './writeEvidence';

const DAY_MS = 86_400_000;
/** Longest period one export may cover. */
const MAX_PERIOD_DAYS = 3660;

/**
 * Reads `GET /evidence` parameters the router has validated against the
 * spec (known names, date-times, `format`): `to` defaults to now, `from` to
 * 90 days before `to`, and the period must run forwards and stay within
 * 3,660 days; `owner` is a Group ref (`payments` = `group:default/payments`).
 */
export function readEvidenceQuery(
  query: { from?: string; to?: string; owner?: string; format?: EvidenceFormat },
  now: Date,
): { scope: EvidenceScope; format: EvidenceFormat } {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - 90 * DAY_MS) : new Date(query.from);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new InputError('"from" and "to" must be ISO-8601 date-times');
  }
  if (from > to) throw new InputError('"from" must not be after "to"');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw new InputError(`An export covers at most ${MAX_PERIOD_DAYS} days`);
  }
  const owner = query.owner === undefined ? undefined : normalizeOwnerRef(query.owner);
  if (query.owner !== undefined && !owner) throw new InputError(`Invalid owner ref "${query.owner.slice(0, 100)}"`);
  const scope: EvidenceScope = { from: from.toISOString(), to: to.toISOString() };
  if (owner) scope.owner = owner;
  return { scope, format: query.format ?? 'json' };
}
