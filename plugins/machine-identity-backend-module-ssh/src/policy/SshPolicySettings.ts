import type { Config } from '@backstage/config';
import { readPositivePolicyNumber } from '@keyring/plugin-machine-identity-node';

/** The thresholds of the SSH rules (`machineIdentity.policies.ssh`). */
export interface SshPolicySettings {
  /** Key types that pass `ssh.algorithm` without a warning. */
  allowedKeyTypes: string[];
  /** RSA keys below this size are errors. */
  minRsaBits: number;
  /** `ssh.age`: a key is rotated within this many days of being first seen. */
  maxAgeDays: number;
}

/** The default SSH thresholds (docs/architecture.md, "Policy"). */
export const DEFAULT_SSH_POLICY_SETTINGS: SshPolicySettings = {
  allowedKeyTypes: ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com'],
  minRsaBits: 3072,
  maxAgeDays: 365,
};

/** Reads `machineIdentity.policies.ssh` (every key optional; invalid values are refused at startup). */
export function readSshPolicySettings(root: Config): Partial<SshPolicySettings> {
  const policies = root.getOptionalConfig('machineIdentity.policies');
  if (!policies) {
    return {};
  }
  const settings: Partial<SshPolicySettings> = {
    allowedKeyTypes: policies.getOptionalStringArray('ssh.allowedKeyTypes'),
    minRsaBits: readPositivePolicyNumber(policies, 'ssh.minRsaBits'),
    maxAgeDays: readPositivePolicyNumber(policies, 'ssh.maxAgeDays'),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}
