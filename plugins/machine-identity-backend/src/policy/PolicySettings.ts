import type { PolicySettings } from '@keyring/plugin-machine-identity-node';

export type { PolicySettings };

/** The default thresholds (docs/architecture.md, "Policy"). */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  tls: {
    approvedIssuers: [],
    maxValidityDays: { public: 90, internal: 365 },
    expiryWarningDays: [30, 14, 7],
    expiryWarningLifetimeShare: 0.33,
    minRsaBits: 2048,
    minEcdsaBits: 256,
  },
  ssh: {
    allowedKeyTypes: ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com'],
    minRsaBits: 3072,
    maxAgeDays: 365,
  },
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
    tls: {
      ...base.tls,
      ...overrides.tls,
      maxValidityDays: {
        ...base.tls.maxValidityDays,
        ...overrides.tls?.maxValidityDays,
      },
    },
    ssh: { ...base.ssh, ...overrides.ssh },
    token: { ...base.token, ...overrides.token },
    serviceAccount: { ...base.serviceAccount, ...overrides.serviceAccount },
  };
}
