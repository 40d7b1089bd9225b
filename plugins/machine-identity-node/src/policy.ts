import type {
  Identity,
  IdentityType,
  Observation,
  Severity,
} from '@keyring/plugin-machine-identity-common';

/**
 * The thresholds of the core's type-agnostic rules, from
 * `machineIdentity.policies` on top of the defaults (the core reads the
 * config and hands the merged values to every rule). A module's rules read
 * their own keys (e.g. `machineIdentity.policies.tls`) when the module
 * creates them, and close over them.
 */
export interface PolicySettings {
  token: {
    maxLifetimeDays: number;
    unusedDays: number;
    /** Disable advice (CIS 45 days) for active tokens unused longer than this. */
    disableUnusedDays: number;
    /** Static keys without expiry are rotated within this many days. */
    maxKeyAgeDays: number;
    /** `storage` values that count as a secrets manager. */
    allowedStorage: string[];
    /** Scopes that are broader than any single workload needs (case-insensitive; any `*` is broad too). */
    broadScopes: string[];
  };
  serviceAccount: {
    /** Naming template: `{placeholder}` is one lower-case segment, `*` any run of name characters. */
    namingPattern: string;
    /** A regular expression that replaces `namingPattern` when set. */
    namingRegex?: string;
    /** Names the naming rule ignores (e.g. Kubernetes' `default` accounts). */
    namingExemptions: string[];
  };
}

/** What a policy rule knows about the identity under evaluation. */
export interface PolicyContext {
  /** The clock, injected so rules are testable at their boundaries. */
  now: Date;
  /** `spec.lifecycle` of the Component that uses the identity, if linked. */
  componentLifecycle?: string;
  /** Whether the identity is reachable from the public internet. */
  environment?: 'public' | 'internal';
  /** Observations of the identity (locations, options, accounts). */
  observations: Observation[];
  /** Number of distinct accounts/owners the identity is seen under (shared keys). */
  distinctAccounts?: number;
  /**
   * Tags that scope rules (`machineIdentity.policies.rules[].tags`), e.g. the
   * owning Component's `metadata.tags` or source tags.
   */
  tags?: string[];
  /** When a revocation of the identity was verified (the credential should be gone since). */
  revokedAt?: string;
}

/** A rule's verdict on one identity. */
export interface RuleResult {
  /** Stable dotted kebab-case rule id, e.g. `tls.key-size`. */
  ruleId: string;
  severity: Severity;
  /** Human message, e.g. `RSA key of 1024 bits is below the 2048-bit minimum`. */
  message: string;
  /** What to do about it. */
  remediation: string;
  /**
   * Machine-readable numbers behind the message (e.g. `daysLeft`, `bits`),
   * for notifications and the UI. Never secret material.
   */
  details?: Record<string, unknown>;
}

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

/** Milliseconds in a day (for rules that count days). */
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
