import type {
  Identity,
  Observation,
  Severity,
} from '@keyring/plugin-machine-identity-common';

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

/** A rule as the API describes it (so the UI can explain the policy). */
export interface PolicyRuleDescription {
  id: string;
  appliesTo: string[];
  description: string;
  enabled: boolean;
  parameters: Record<string, unknown>;
  /** The severity the rule reports unless it escalates (or config overrides it). */
  severity?: Severity;
  /** Scope from config: the rule only applies to these types/owners/tags. */
  scope?: {
    types?: string[];
    owners?: string[];
    tags?: string[];
    excludeOwners?: string[];
    excludeTags?: string[];
  };
}

/**
 * Evaluates every enabled rule for one identity. Pure: no I/O, the clock
 * comes from the context.
 */
export interface PolicyEngine {
  evaluate(identity: Identity, context: PolicyContext): RuleResult[];
  describe(): PolicyRuleDescription[];
}
