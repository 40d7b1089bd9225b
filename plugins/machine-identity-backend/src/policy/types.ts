import type { Identity, Severity } from '@keyring/plugin-machine-identity-common';
import type { PolicyContext, RuleResult } from '@keyring/plugin-machine-identity-node';

export type { PolicyContext, RuleResult };

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
