import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { Severity } from '@keyring/plugin-machine-identity-common';
import { readPositivePolicyNumber } from '@keyring/plugin-machine-identity-node';
import type { PolicyRuleScope } from './PolicyRuleScope';
import {
  mergePolicySettings,
  type PolicySettings,
  type PolicySettingsOverrides,
} from './PolicySettings';

/** The policy as read from `machineIdentity.policies`. */
export interface PolicyConfig {
  settings: PolicySettings;
  disabledRules: string[];
  rules: PolicyRuleScope[];
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * Reads the core's part of `machineIdentity.policies` (every key optional)
 * onto the defaults: the token and service account thresholds, `disabledRules`
 * and `rules`. Modules read their own keys (`tls`, `ssh`).
 */
export function readPolicyConfig(root: Config): PolicyConfig {
  const config = root.getOptionalConfig('machineIdentity.policies');
  if (!config) {
    return { settings: mergePolicySettings(), disabledRules: [], rules: [] };
  }
  const positive = (key: string) => readPositivePolicyNumber(config, key);
  const overrides: PolicySettingsOverrides = {
    token: defined({
      maxLifetimeDays: positive('token.maxLifetimeDays'),
      unusedDays: positive('token.unusedDays'),
      disableUnusedDays: positive('token.disableUnusedDays'),
      maxKeyAgeDays: positive('token.maxKeyAgeDays'),
      allowedStorage: config.getOptionalStringArray('token.allowedStorage'),
      broadScopes: config.getOptionalStringArray('token.broadScopes'),
    }),
    serviceAccount: defined({
      namingPattern: config.getOptionalString('serviceAccount.namingPattern'),
      namingRegex: config.getOptionalString('serviceAccount.namingRegex'),
      namingExemptions: config.getOptionalStringArray('serviceAccount.namingExemptions'),
    }),
  };
  const rules: PolicyRuleScope[] = (config.getOptionalConfigArray('rules') ?? []).map(
    rule => {
      const severity = rule.getOptionalString('severity');
      if (severity !== undefined && !SEVERITIES.includes(severity as Severity)) {
        throw new InputError(
          `machineIdentity.policies.rules[].severity must be one of ${SEVERITIES.join(', ')}, got ${severity}`,
        );
      }
      return defined({
        id: rule.getString('id'),
        enabled: rule.getOptionalBoolean('enabled'),
        types: rule.getOptionalStringArray('types'),
        owners: rule.getOptionalStringArray('owners'),
        tags: rule.getOptionalStringArray('tags'),
        excludeOwners: rule.getOptionalStringArray('excludeOwners'),
        excludeTags: rule.getOptionalStringArray('excludeTags'),
        severity: severity as Severity | undefined,
      }) as PolicyRuleScope;
    },
  );
  return {
    settings: mergePolicySettings(overrides),
    disabledRules: config.getOptionalStringArray('disabledRules') ?? [],
    rules,
  };
}
