import type { PolicySettings } from '@keyring/plugin-machine-identity-node';

export type { PolicySettings };

/**
 * The default thresholds of the core's rules (docs/architecture.md, "Policy");
 * the TLS and SSH modules hold their own.
 */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  token: {
    maxLifetimeDays: 90,
    unusedDays: 90,
    disableUnusedDays: 45,
    maxKeyAgeDays: 90,
    allowedStorage: [
      'secrets-manager',
      'vault',
      'aws-secrets-manager',
      'azure-key-vault',
      'gcp-secret-manager',
      'external-secrets',
    ],
    broadScopes: [
      'admin',
      'root',
      'all',
      'write:all',
      'admin:org',
      'admin:enterprise',
      'repo',
      'delete_repo',
      'cluster-admin',
      'administratoraccess',
      'iam:*',
    ],
  },
  serviceAccount: {
    namingPattern: 'svc-{team}-{purpose}',
    namingExemptions: ['default'],
  },
};

/** A partial override of {@link PolicySettings}, one level deep per family. */
export type PolicySettingsOverrides = {
  [K in keyof PolicySettings]?: Partial<PolicySettings[K]>;
};

/** Merges overrides onto the defaults (one level deep per family). */
export function mergePolicySettings(
  overrides: PolicySettingsOverrides = {},
  base: PolicySettings = DEFAULT_POLICY_SETTINGS,
): PolicySettings {
  return {
    token: { ...base.token, ...overrides.token },
    serviceAccount: { ...base.serviceAccount, ...overrides.serviceAccount },
  };
}
