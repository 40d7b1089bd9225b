import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { PolicyContext, PolicyRule, PolicySettings, RuleResult } from '../policy';

/**
 * Core thresholds for rules that close over their own settings: any read
 * fails the test, so a module's rule cannot silently depend on the core's.
 */
const NO_CORE_SETTINGS = new Proxy({} as PolicySettings, {
  get(_target, family) {
    throw new Error(
      `The rule read machineIdentity.policies.${String(family)} from the core's settings; pass them with { settings }`,
    );
  },
});

/**
 * Runs a module's policy rules on one identity the way the backend's engine
 * does for an enabled, unscoped rule list: in order, only the rules whose
 * `appliesTo` holds the identity's type, `nowMs` from the context's clock.
 * `settings` are the core thresholds, for rules that read them.
 */
export function evaluatePolicyRules(
  rules: readonly PolicyRule[],
  identity: Identity,
  context: PolicyContext,
  options: { settings?: PolicySettings } = {},
): RuleResult[] {
  const input = { identity, context, settings: options.settings ?? NO_CORE_SETTINGS, nowMs: context.now.getTime() };
  const results: RuleResult[] = [];
  for (const rule of rules) {
    if (rule.appliesTo.includes(identity.type)) {
      const result = rule.evaluate(input);
      if (result) {
        results.push(result);
      }
    }
  }
  return results;
}
