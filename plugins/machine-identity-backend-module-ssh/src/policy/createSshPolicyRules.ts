import type { Identity } from '@keyring/plugin-machine-identity-common';
import {
  countDistinctAccounts,
  DAY_MS,
  formatDays,
  parseTime,
  type PolicyContext,
  type PolicyRule,
} from '@keyring/plugin-machine-identity-node';
import {
  DEFAULT_SSH_POLICY_SETTINGS,
  type SshPolicySettings,
} from './SshPolicySettings';

const SSH = ['ssh-key'] as const;

/**
 * Canonical OpenSSH key type of a key: certificates count as their key
 * (`ssh-ed25519-cert-v01@openssh.com` → `ssh-ed25519`) and ssh-keygen's
 * short names map to wire names (`ED25519-SK` → `sk-ssh-ed25519@openssh.com`).
 */
export function canonicalSshKeyType(identity: Identity): string | undefined {
  const raw = (identity.sshKeyType ?? identity.keyAlgorithm)?.trim().toLowerCase();
  if (!raw) {
    return undefined;
  }
  const type = raw.replace(/-cert-v0\d@openssh\.com$/, '').replace(/-cert$/, '');
  switch (type) {
    case 'ed25519':
      return 'ssh-ed25519';
    case 'ed25519-sk':
      return 'sk-ssh-ed25519@openssh.com';
    case 'rsa':
    case 'rsa-sha2-256':
    case 'rsa-sha2-512':
      return 'ssh-rsa';
    case 'dsa':
      return 'ssh-dss';
    case 'ecdsa-sk':
      return 'sk-ecdsa-sha2-nistp256@openssh.com';
    case 'ecdsa': {
      const bits = identity.keySize ?? 256;
      return `ecdsa-sha2-nistp${bits}`;
    }
    default:
      return type;
  }
}

const algorithm = (ssh: SshPolicySettings): PolicyRule => ({
  id: 'ssh.algorithm',
  appliesTo: SSH,
  defaultSeverity: 'warning',
  description:
    'Ed25519 keys (incl. security-key sk- variants) pass; ECDSA and large RSA keys warn; small RSA and DSA keys are errors.',
  parameters: () => ({
    allowedKeyTypes: ssh.allowedKeyTypes,
    minRsaBits: ssh.minRsaBits,
  }),
  evaluate({ identity }) {
    const type = canonicalSshKeyType(identity);
    if (!type) {
      return undefined;
    }
    const { allowedKeyTypes, minRsaBits } = ssh;
    const remediation =
      'Generate an Ed25519 key (`ssh-keygen -t ed25519`, or `-t ed25519-sk` with a security key), deploy it and remove this one.';
    if (type === 'ssh-rsa') {
      const bits = identity.keySize;
      if (bits !== undefined && bits < minRsaBits) {
        return {
          ruleId: 'ssh.algorithm',
          severity: 'error',
          message: `RSA key of ${bits} bits is below the ${minRsaBits}-bit minimum`,
          remediation,
          details: { keyType: type, bits, minBits: minRsaBits },
        };
      }
      if (allowedKeyTypes.includes(type)) {
        return undefined;
      }
      return {
        ruleId: 'ssh.algorithm',
        severity: 'warning',
        message: `RSA key${bits ? ` of ${bits} bits` : ''} is accepted but not preferred (allowed: ${allowedKeyTypes.join(', ')})`,
        remediation,
        details: { keyType: type, bits },
      };
    }
    if (allowedKeyTypes.includes(type)) {
      return undefined;
    }
    if (type === 'ssh-dss') {
      return {
        ruleId: 'ssh.algorithm',
        severity: 'error',
        message: 'DSA key: OpenSSH has disabled DSA since 7.0 and removed it in 10.0',
        remediation,
        details: { keyType: type, bits: identity.keySize },
      };
    }
    return {
      ruleId: 'ssh.algorithm',
      severity: 'warning',
      message: `${type} key is not among the preferred key types (${allowedKeyTypes.join(', ')})`,
      remediation,
      details: { keyType: type, bits: identity.keySize },
    };
  },
});

const age = (ssh: SshPolicySettings): PolicyRule => ({
  id: 'ssh.age',
  appliesTo: SSH,
  defaultSeverity: 'warning',
  description: 'A key is rotated before it reaches the maximum age (counted from when it was first seen).',
  parameters: () => ({ maxAgeDays: ssh.maxAgeDays }),
  evaluate({ identity, nowMs }) {
    const since = parseTime(identity.firstSeen);
    if (since === undefined) {
      return undefined;
    }
    const days = (nowMs - since) / DAY_MS;
    if (days <= ssh.maxAgeDays) {
      return undefined;
    }
    return {
      ruleId: 'ssh.age',
      severity: 'warning',
      message: `Key first seen ${formatDays(days)} ago, older than the ${ssh.maxAgeDays}-day maximum`,
      remediation: 'Rotate the key: generate a new one, deploy it, remove this one.',
      details: { ageDays: days, maxAgeDays: ssh.maxAgeDays },
    };
  },
});

function accountsOf(context: PolicyContext): number {
  return context.distinctAccounts ?? countDistinctAccounts(context.observations) ?? 0;
}

const shared: PolicyRule = {
  id: 'ssh.shared',
  appliesTo: SSH,
  defaultSeverity: 'warning',
  description: 'One key belongs to one account: the same key under several accounts or owners is shared.',
  parameters: () => ({ maxAccounts: 1 }),
  evaluate({ context }) {
    const accounts = accountsOf(context);
    if (accounts <= 1) {
      return undefined;
    }
    return {
      ruleId: 'ssh.shared',
      severity: 'warning',
      message: `The same key is authorized for ${accounts} different accounts`,
      remediation: 'Give every account (and person or workload) its own key, then remove the shared one.',
      details: { accounts },
    };
  },
};

const unknownOwner: PolicyRule = {
  id: 'ssh.unknown-owner',
  appliesTo: SSH,
  defaultSeverity: 'warning',
  description: 'A key has an identifiable owner: a comment or an ownership rule other than the fallback.',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.ownershipRule !== 'fallback' || (identity.comment ?? '').trim() !== '') {
      return undefined;
    }
    return {
      ruleId: 'ssh.unknown-owner',
      severity: 'warning',
      message: 'Key has no comment and matches no ownership rule: nobody can be identified as its owner',
      remediation:
        'Find who uses the key, then add a comment (user@host) or a keyring.io/ssh-hosts / ssh-accounts annotation on the Component.',
    };
  },
};

/**
 * The SSH key rules, in evaluation order, with their thresholds
 * (`machineIdentity.policies.ssh`, read by {@link readSshPolicySettings}) on
 * top of {@link DEFAULT_SSH_POLICY_SETTINGS}. The SSH module registers them
 * through `machineIdentityPolicyRulesExtensionPoint`.
 */
export function createSshPolicyRules(settings: Partial<SshPolicySettings> = {}): readonly PolicyRule[] {
  const ssh: SshPolicySettings = { ...DEFAULT_SSH_POLICY_SETTINGS, ...settings };
  return [algorithm(ssh), age(ssh), shared, unknownOwner];
}
