import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { Severity } from '@keyring/plugin-machine-identity-common';
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

function positive(config: Config, key: string): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && !(value > 0)) {
    throw new InputError(`machineIdentity.policies.${key} must be a positive number, got ${value}`);
  }
  return value;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Reads `machineIdentity.policies` (every key optional) onto the defaults. */
export function readPolicyConfig(root: Config): PolicyConfig {
  const config = root.getOptionalConfig('machineIdentity.policies');
  if (!config) {
    return { settings: mergePolicySettings(), disabledRules: [], rules: [] };
  }
  const share = config.getOptionalNumber('tls.expiryWarningLifetimeShare');
  if (share !== undefined && (share < 0 || share >= 1)) {
    throw new InputError(
      `machineIdentity.policies.tls.expiryWarningLifetimeShare must be in [0, 1), got ${share}`,
    );
  }
  const expiryWarningDays = config.getOptional<number[]>('tls.expiryWarningDays');
  if (
    expiryWarningDays !== undefined &&
    (!Array.isArray(expiryWarningDays) ||
      expiryWarningDays.some(d => typeof d !== 'number' || !(d >= 0)))
  ) {
    throw new InputError(
      'machineIdentity.policies.tls.expiryWarningDays must be a list of non-negative day counts',
    );
  }
  const maxValidity = config.getOptionalConfig('tls.maxValidityDays');
  const overrides: PolicySettingsOverrides = {
    tls: defined({
      approvedIssuers: config.getOptionalStringArray('tls.approvedIssuers'),
      maxValidityDays: maxValidity
        ? (defined({
            public: positive(config, 'tls.maxValidityDays.public'),
            internal: positive(config, 'tls.maxValidityDays.internal'),
          }) as PolicySettings['tls']['maxValidityDays'])
        : undefined,
      expiryWarningDays,
      expiryWarningLifetimeShare: share,
      minRsaBits: positive(config, 'tls.minRsaBits'),
      minEcdsaBits: positive(config, 'tls.minEcdsaBits'),
    }),
    ssh: defined({
      allowedKeyTypes: config.getOptionalStringArray('ssh.allowedKeyTypes'),
      minRsaBits: positive(config, 'ssh.minRsaBits'),
      maxAgeDays: positive(config, 'ssh.maxAgeDays'),
    }),
    token: defined({
      maxLifetimeDays: positive(config, 'token.maxLifetimeDays'),
      unusedDays: positive(config, 'token.unusedDays'),
      disableUnusedDays: positive(config, 'token.disableUnusedDays'),
      maxKeyAgeDays: positive(config, 'token.maxKeyAgeDays'),
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
