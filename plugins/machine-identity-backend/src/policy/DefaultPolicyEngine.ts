import type { Config } from '@backstage/config';
import { ConflictError, InputError } from '@backstage/errors';
import {
  IDENTITY_TYPES,
  type Identity,
  type Severity,
} from '@keyring/plugin-machine-identity-common';
import { CORE_POLICY_RULES, PLANNED_RULE_IDS } from './coreRules';
import type { PolicyRule, RuleInput } from './PolicyRule';
import { CompiledScope, type PolicyRuleScope } from './PolicyRuleScope';
import {
  mergePolicySettings,
  type PolicySettings,
  type PolicySettingsOverrides,
} from './PolicySettings';
import { readPolicyConfig } from './readPolicyConfig';
import { namingRegex } from './serviceAccountRules';
import type {
  PolicyContext,
  PolicyEngine,
  PolicyRuleDescription,
  RuleResult,
} from './types';

/** Options of {@link DefaultPolicyEngine.create}. */
export interface DefaultPolicyEngineOptions {
  /** Threshold overrides on top of the default thresholds (`DEFAULT_POLICY_SETTINGS`). */
  settings?: PolicySettingsOverrides;
  /** Rule ids switched off. */
  disabledRules?: string[];
  /** Per-rule enablement, scope and severity. */
  rules?: PolicyRuleScope[];
  /**
   * Rules of installed modules (`machineIdentityPolicyRulesExtensionPoint`,
   * e.g. the TLS module's `tls.*`), evaluated before the core's rules in the
   * order given.
   */
  moduleRules?: readonly PolicyRule[];
  /**
   * The core's rules that need other parts of the backend (e.g. reviews'
   * `any.review-overdue`), evaluated after the core's rules.
   */
  extraRules?: readonly PolicyRule[];
}

/** The rule lists an engine is built from (see {@link DefaultPolicyEngineOptions}). */
export type PolicyRuleLists = Pick<DefaultPolicyEngineOptions, 'moduleRules' | 'extraRules'>;

interface BoundRule {
  rule: PolicyRule;
  scope?: CompiledScope;
  severity?: Severity;
}

/** Identities in these states have nothing left to fix. */
const INACTIVE_STATES = new Set(['gone', 'revoked']);

/**
 * The default {@link PolicyEngine}: the installed modules' rules, then the
 * core's (docs/architecture.md, "Policy"), with thresholds, enablement and
 * scopes from `machineIdentity.policies`. Rule ids are unique. Pure and synchronous; rules are bucketed by
 * identity type once, so evaluating an identity only touches its rules.
 */
export class DefaultPolicyEngine implements PolicyEngine {
  private readonly byType: Map<string, BoundRule[]>;

  private constructor(
    readonly settings: PolicySettings,
    private readonly rules: readonly PolicyRule[],
    private readonly disabled: ReadonlySet<string>,
    private readonly scopes: ReadonlyMap<string, PolicyRuleScope>,
  ) {
    this.byType = new Map();
    for (const type of IDENTITY_TYPES) {
      this.byType.set(type, []);
    }
    for (const rule of rules) {
      if (disabled.has(rule.id)) {
        continue;
      }
      const scope = scopes.get(rule.id);
      const compiled = scope ? new CompiledScope(scope) : undefined;
      const bound: BoundRule = {
        rule,
        scope: compiled?.hasConditions ? compiled : undefined,
        severity: scope?.severity,
      };
      for (const type of rule.appliesTo) {
        if (scope?.types && !scope.types.includes(type)) {
          continue;
        }
        let list = this.byType.get(type);
        if (!list) {
          list = [];
          this.byType.set(type, list);
        }
        list.push(bound);
      }
    }
  }

  /** Builds the engine from `machineIdentity.policies`. */
  static fromConfig(config: Config, lists: PolicyRuleLists = {}): DefaultPolicyEngine {
    const policy = readPolicyConfig(config);
    return DefaultPolicyEngine.build(policy.settings, policy.disabledRules, policy.rules, lists);
  }

  /** Builds the engine from options (defaults when none are given). */
  static create(options: DefaultPolicyEngineOptions = {}): DefaultPolicyEngine {
    return DefaultPolicyEngine.build(
      mergePolicySettings(options.settings),
      options.disabledRules ?? [],
      options.rules ?? [],
      options,
    );
  }

  private static build(
    settings: PolicySettings,
    disabledRules: string[],
    scopes: PolicyRuleScope[],
    lists: PolicyRuleLists,
  ): DefaultPolicyEngine {
    const rules = [...(lists.moduleRules ?? []), ...CORE_POLICY_RULES, ...(lists.extraRules ?? [])];
    const ids = new Set<string>();
    for (const rule of rules) {
      if (ids.has(rule.id)) {
        throw new ConflictError(
          `Policy rule "${rule.id}" is defined twice: every rule id (core or module) must be unique`,
        );
      }
      ids.add(rule.id);
    }
    const known = new Set([...ids, ...PLANNED_RULE_IDS]);
    const unknown = (key: string, id: string) => {
      const family = id.split('.')[0];
      const hint = rules.some(r => r.id.startsWith(`${family}.`))
        ? ''
        : ` (no installed module provides ${family}.* rules)`;
      return new InputError(`machineIdentity.policies.${key} names an unknown rule "${id}"${hint}`);
    };
    for (const id of disabledRules) {
      if (!known.has(id)) {
        throw unknown('disabledRules', id);
      }
    }
    const byId = new Map<string, PolicyRuleScope>();
    const disabled = new Set(disabledRules);
    for (const scope of scopes) {
      if (!known.has(scope.id)) {
        throw unknown('rules', scope.id);
      }
      if (byId.has(scope.id)) {
        throw new InputError(`machineIdentity.policies.rules lists "${scope.id}" twice`);
      }
      for (const type of scope.types ?? []) {
        if (!(IDENTITY_TYPES as readonly string[]).includes(type)) {
          throw new InputError(
            `machineIdentity.policies.rules["${scope.id}"].types has an unknown type "${type}"`,
          );
        }
      }
      byId.set(scope.id, scope);
      if (scope.enabled === false) {
        disabled.add(scope.id);
      }
    }
    const normalized: PolicySettings = {
      ...settings,
      token: {
        ...settings.token,
        allowedStorage: settings.token.allowedStorage.map(s => s.toLowerCase()),
        broadScopes: settings.token.broadScopes.map(s => s.toLowerCase()),
      },
    };
    try {
      namingRegex(normalized);
    } catch (error) {
      throw new InputError(
        `machineIdentity.policies.serviceAccount naming pattern is invalid: ${(error as Error).message}`,
      );
    }
    return new DefaultPolicyEngine(normalized, rules, disabled, byId);
  }

  /**
   * Runs every enabled rule that applies to the identity, in order. Gone and
   * revoked identities have no violations.
   */
  evaluate(identity: Identity, context: PolicyContext): RuleResult[] {
    if (INACTIVE_STATES.has(identity.state)) {
      return [];
    }
    const bound = this.byType.get(identity.type);
    if (!bound || bound.length === 0) {
      return [];
    }
    const input: RuleInput = {
      identity,
      context,
      settings: this.settings,
      nowMs: context.now.getTime(),
    };
    const results: RuleResult[] = [];
    for (const { rule, scope, severity } of bound) {
      if (scope && !scope.matches(identity, context)) {
        continue;
      }
      const result = rule.evaluate(input);
      if (result) {
        results.push(severity ? { ...result, severity } : result);
      }
    }
    return results;
  }

  /** The policy as configured, for `GET /policy`. */
  describe(): PolicyRuleDescription[] {
    return this.rules.map(rule => {
      const scope = this.scopes.get(rule.id);
      const appliesTo = scope?.types
        ? rule.appliesTo.filter(t => scope.types!.includes(t))
        : [...rule.appliesTo];
      const description: PolicyRuleDescription = {
        id: rule.id,
        appliesTo,
        description: rule.description,
        enabled: !this.disabled.has(rule.id),
        parameters: rule.parameters(this.settings),
        severity: scope?.severity ?? rule.defaultSeverity,
      };
      if (scope && (scope.types || scope.owners || scope.tags || scope.excludeOwners || scope.excludeTags)) {
        description.scope = {
          types: scope.types,
          owners: scope.owners,
          tags: scope.tags,
          excludeOwners: scope.excludeOwners,
          excludeTags: scope.excludeTags,
        };
      }
      return description;
    });
  }

  /** Whether a rule id is known to this engine (module, core, extra or planned). */
  knowsRule(id: string): boolean {
    return this.rules.some(r => r.id === id) || PLANNED_RULE_IDS.includes(id);
  }
}
