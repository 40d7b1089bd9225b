import type { PolicyRule } from './PolicyRule';

const rotation: PolicyRule = {
  id: 'secret.rotation',
  appliesTo: ['secret'],
  defaultSeverity: 'warning',
  description: 'Stored secrets (Secrets Manager, Vault) have automatic rotation enabled.',
  parameters: () => ({}),
  evaluate({ identity }) {
    // Judged only when the source reports rotation at all.
    if (!identity.rotation || identity.rotation.enabled) return undefined;
    const last = identity.rotation.lastRotatedAt;
    return {
      ruleId: 'secret.rotation',
      severity: 'warning',
      message: last ? `Secret rotation is disabled (last rotated ${last.slice(0, 10)})` : 'Secret is never rotated (rotation disabled)',
      remediation: 'Enable automatic rotation (a rotation function and schedule) and rotate the secret now.',
      details: { lastRotatedAt: last },
    };
  },
};

/** Stored secret rules, in evaluation order. */
export const secretRules: readonly PolicyRule[] = [rotation];
