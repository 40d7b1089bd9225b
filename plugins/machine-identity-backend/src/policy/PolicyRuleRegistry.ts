import { ConflictError } from '@backstage/errors';
import type { PolicyRule } from './PolicyRule';

/**
 * The rules modules add through `machineIdentityPolicyRulesExtensionPoint`,
 * in registration order. A rule whose id the core or an earlier module
 * already uses is refused when it is added, so the backend fails at startup
 * naming the module that added the second one.
 */
export class PolicyRuleRegistry {
  private readonly added: PolicyRule[] = [];
  private readonly ids: Set<string>;

  private constructor(reserved: readonly PolicyRule[]) {
    this.ids = new Set(reserved.map(r => r.id));
  }

  /** A registry that refuses the ids of `reserved` (the core's own rules). */
  static create(options: { reserved: readonly PolicyRule[] }): PolicyRuleRegistry {
    return new PolicyRuleRegistry(options.reserved);
  }

  add(rules: readonly PolicyRule[]): void {
    for (const rule of rules) {
      if (this.ids.has(rule.id)) {
        throw new ConflictError(
          `Policy rule "${rule.id}" is already registered by the core or another module; rule ids must be unique`,
        );
      }
      this.ids.add(rule.id);
      this.added.push(rule);
    }
  }

  /** The modules' rules, in registration order. */
  list(): readonly PolicyRule[] {
    return this.added;
  }
}
