import { InputError } from '@backstage/errors';
import { normalizeOwnerRef } from '../ownership/refs';
import type { EvidenceScope } from './EvidenceQuery';
import type { EvidenceFormat } from './writeEvidence';

const DAY_MS = 86_400_000;
const ALLOWED = ['from', 'to', 'owner', 'format'];
/** Longest period one export may cover. */
const MAX_PERIOD_DAYS = 3660;

function single(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`Query parameter "${key}" must be given once`);
  return value;
}

function instant(query: Record<string, unknown>, key: string): Date | undefined {
  const value = single(query, key);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InputError(`"${key}" must be an ISO-8601 date or date-time, got "${value.slice(0, 40)}"`);
  }
  return date;
}

/**
 * Reads `GET /evidence` parameters: `to` defaults to now, `from` to 90 days
 * before `to`; `owner` is a Group ref (`payments` = `group:default/payments`);
 * `format` is `json` (default) or `csv`.
 */
export function readEvidenceQuery(
  query: Record<string, unknown>,
  now: Date,
): { scope: EvidenceScope; format: EvidenceFormat } {
  for (const key of Object.keys(query)) {
    if (!ALLOWED.includes(key)) throw new InputError(`Unknown query parameter "${key.slice(0, 40)}"`);
  }
  const to = instant(query, 'to') ?? now;
  const from = instant(query, 'from') ?? new Date(to.getTime() - 90 * DAY_MS);
  if (from > to) throw new InputError('"from" must not be after "to"');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) {
    throw new InputError(`An export covers at most ${MAX_PERIOD_DAYS} days`);
  }
  const format = single(query, 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new InputError('"format" must be csv or json');
  const ownerParam = single(query, 'owner');
  const owner = ownerParam === undefined ? undefined : normalizeOwnerRef(ownerParam.slice(0, 300));
  if (ownerParam !== undefined && !owner) throw new InputError(`Invalid owner ref "${ownerParam.slice(0, 100)}"`);
  const scope: EvidenceScope = { from: from.toISOString(), to: to.toISOString() };
  if (owner) scope.owner = owner;
  return { scope, format };
}
