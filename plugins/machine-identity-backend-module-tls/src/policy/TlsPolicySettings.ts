import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { readPositivePolicyNumber } from '@keyring/plugin-machine-identity-node';

/** The thresholds of the TLS rules (`machineIdentity.policies.tls`). */
export interface TlsPolicySettings {
  /** Approved CA certificate files; when empty, `tls.issuer` has nothing to check against. */
  approvedIssuers: string[];
  /** Maximum validity in days of public and internal certificates (`tls.validity`). */
  maxValidityDays: { public: number; internal: number };
  /** Day thresholds for `tls.expiry`, e.g. `[30, 14, 7]`; the smallest one makes it an error. */
  expiryWarningDays: number[];
  /** Also warn when this share (0..1) of a certificate's lifetime is left. */
  expiryWarningLifetimeShare: number;
  /** Minimum RSA key size in bits (`tls.key-size`). */
  minRsaBits: number;
  /** Minimum ECDSA curve size in bits (`tls.key-size`). */
  minEcdsaBits: number;
}

/** Some TLS thresholds; the rest keep their defaults. */
export type TlsPolicySettingsOverrides = Partial<Omit<TlsPolicySettings, 'maxValidityDays'>> & {
  maxValidityDays?: Partial<TlsPolicySettings['maxValidityDays']>;
};

/** The default TLS thresholds (docs/architecture.md, "Policy"). */
export const DEFAULT_TLS_POLICY_SETTINGS: TlsPolicySettings = {
  approvedIssuers: [],
  maxValidityDays: { public: 90, internal: 365 },
  expiryWarningDays: [30, 14, 7],
  expiryWarningLifetimeShare: 0.33,
  minRsaBits: 2048,
  minEcdsaBits: 256,
};

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads `machineIdentity.policies.tls` (every key optional; invalid values are refused at startup). */
export function readTlsPolicySettings(root: Config): TlsPolicySettingsOverrides {
  const policies = root.getOptionalConfig('machineIdentity.policies');
  if (!policies) {
    return {};
  }
  const share = policies.getOptionalNumber('tls.expiryWarningLifetimeShare');
  if (share !== undefined && (share < 0 || share >= 1)) {
    throw new InputError(
      `machineIdentity.policies.tls.expiryWarningLifetimeShare must be in [0, 1), got ${share}`,
    );
  }
  const expiryWarningDays = policies.getOptional<number[]>('tls.expiryWarningDays');
  if (
    expiryWarningDays !== undefined &&
    (!Array.isArray(expiryWarningDays) || expiryWarningDays.some(d => typeof d !== 'number' || !(d >= 0)))
  ) {
    throw new InputError(
      'machineIdentity.policies.tls.expiryWarningDays must be a list of non-negative day counts',
    );
  }
  return defined({
    approvedIssuers: policies.getOptionalStringArray('tls.approvedIssuers'),
    maxValidityDays: policies.has('tls.maxValidityDays')
      ? defined({
          public: readPositivePolicyNumber(policies, 'tls.maxValidityDays.public'),
          internal: readPositivePolicyNumber(policies, 'tls.maxValidityDays.internal'),
        })
      : undefined,
    expiryWarningDays,
    expiryWarningLifetimeShare: share,
    minRsaBits: readPositivePolicyNumber(policies, 'tls.minRsaBits'),
    minEcdsaBits: readPositivePolicyNumber(policies, 'tls.minEcdsaBits'),
  });
}
