/**
 * Every threshold the default rules read, with the defaults of DESIGN.md
 * ("Policies"). Overridden from `machineIdentity.policies` by
 * {@link readPolicySettings}.
 */
export interface PolicySettings {
  tls: {
    /** Approved CA certificate files; when empty, `tls.issuer` has nothing to check against. */
    approvedIssuers: string[];
    maxValidityDays: { public: number; internal: number };
    /** Day thresholds for `tls.expiry`, e.g. `[30, 14, 7]`; the smallest one makes it an error. */
    expiryWarningDays: number[];
    /** Also warn when this share (0..1) of a certificate's lifetime is left. */
    expiryWarningLifetimeShare: number;
    minRsaBits: number;
    minEcdsaBits: number;
  };
  ssh: {
    allowedKeyTypes: string[];
    minRsaBits: number;
    maxAgeDays: number;
  };
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

/** The defaults of DESIGN.md's Policies table. */
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
