import type {
  Identity,
  IdentityType,
  Severity,
} from '@keyring/plugin-machine-identity-common';
import type { PolicySettings } from './PolicySettings';
import type { PolicyContext, RuleResult } from './types';

/**
 * What a rule receives: the identity, its context (with the injected clock)
 * and the configured thresholds. `nowMs` is `context.now` in epoch
 * milliseconds, computed once per evaluation.
 */
export interface RuleInput {
  identity: Identity;
  context: PolicyContext;
  settings: PolicySettings;
  nowMs: number;
}

/**
 * One policy rule: a small pure function plus what the API needs to explain
 * it. Rules never do I/O and never read the wall clock.
 */
export interface PolicyRule {
  /** Stable dotted kebab-case id, e.g. `tls.key-size`. */
  id: string;
  /** Identity types the rule applies to. */
  appliesTo: readonly IdentityType[];
  /** The severity the rule reports most of the time (some rules escalate). */
  defaultSeverity: Severity;
  /** One sentence for the UI. */
  description: string;
  /** The settings the rule reads, for `GET /policy`. */
  parameters(settings: PolicySettings): Record<string, unknown>;
  /** The verdict: `undefined` when the identity complies or the rule cannot judge it. */
  evaluate(input: RuleInput): RuleResult | undefined;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Parses an ISO-8601 timestamp; `undefined` when absent or invalid. */
export function parseTime(value: string | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Formats a day count for messages: whole days as integers, else one decimal. */
export function formatDays(days: number): string {
  const rounded = Math.round(days * 10) / 10;
  const text = Number.isInteger(rounded)
    ? String(rounded)
    : rounded.toFixed(1);
  return `${text} ${rounded === 1 ? 'day' : 'days'}`;
}
