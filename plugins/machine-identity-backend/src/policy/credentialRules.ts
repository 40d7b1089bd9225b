import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DAY_MS, formatDays, parseTime, type PolicyRule } from './PolicyRule';

const TOKEN = ['api-token'] as const;

/** Whether the source says the credential is already disabled (AWS `Status: Inactive`). */
function isInactive(identity: Identity): boolean {
  return identity.extra?.status === 'Inactive';
}

/**
 * When the token was last used, or — for a token the source reports as never
 * used (`extra.neverUsed`) — when it was created.
 */
function lastActivity(identity: Identity): { ms: number; neverUsed: boolean } | undefined {
  const used = parseTime(identity.lastUsedAt);
  if (used !== undefined) return { ms: used, neverUsed: false };
  const created = identity.extra?.neverUsed === true ? parseTime(identity.notBefore) : undefined;
  return created === undefined ? undefined : { ms: created, neverUsed: true };
}

const unusedDisable: PolicyRule = {
  id: 'token.unused-disable',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description:
    'Active tokens unused for longer than the disable limit (CIS: 45 days) are disabled; never-used tokens count from their creation.',
  parameters: s => ({ disableUnusedDays: s.token.disableUnusedDays }),
  evaluate({ identity, settings, nowMs }) {
    const activity = lastActivity(identity);
    if (!activity || isInactive(identity)) return undefined;
    const days = (nowMs - activity.ms) / DAY_MS;
    const limit = settings.token.disableUnusedDays;
    // Beyond `unusedDays` a known last use is token.unused's finding (revoke), not this advice.
    if (days <= limit || (!activity.neverUsed && days > settings.token.unusedDays)) return undefined;
    return {
      ruleId: 'token.unused-disable',
      severity: 'warning',
      message: activity.neverUsed
        ? `Token never used in the ${formatDays(days)} since it was created (disable after ${limit} days)`
        : `Token last used ${formatDays(days)} ago: disable tokens unused for more than ${limit} days`,
      remediation: 'Disable (deactivate) the token now; revoke it if nobody asks for it back.',
      details: { unusedDays: days, limitDays: limit, neverUsed: activity.neverUsed },
    };
  },
};

const rotation: PolicyRule = {
  id: 'token.rotation',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description: 'Long-lived static keys (no expiry) are rotated at least every maximum key age.',
  parameters: s => ({ maxKeyAgeDays: s.token.maxKeyAgeDays }),
  evaluate({ identity, settings, nowMs }) {
    if (identity.notAfter || isInactive(identity)) return undefined;
    const since = parseTime(identity.rotation?.lastRotatedAt) ?? parseTime(identity.notBefore);
    if (since === undefined) return undefined;
    const days = (nowMs - since) / DAY_MS;
    const limit = settings.token.maxKeyAgeDays;
    if (days <= limit) return undefined;
    return {
      ruleId: 'token.rotation',
      severity: 'warning',
      message: `Key not rotated for ${formatDays(days)}, beyond the ${limit}-day maximum`,
      remediation: 'Create a new key, move its users to it, then deactivate and delete this one.',
      details: { ageDays: days, maxDays: limit },
    };
  },
};

const privileged: PolicyRule = {
  id: 'workload-identity.privileged',
  appliesTo: ['workload-identity'],
  defaultSeverity: 'warning',
  description: 'Workload identities (IAM roles, federated identities) hold no administrator-level permissions.',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.privileged !== true) return undefined;
    const why = identity.privilegedReason ?? 'administrator-level permissions';
    return {
      ruleId: 'workload-identity.privileged',
      severity: 'warning',
      message: `Workload identity holds administrator-level permissions: ${why}`,
      remediation: 'Replace the grant with a policy that lists only the actions the workload uses; keep break-glass admin roles behind approval and a short session.',
      details: { reason: why },
    };
  },
};

/** Rules for static credentials and privileged workload identities, in evaluation order. */
export const credentialRules: readonly PolicyRule[] = [unusedDisable, rotation, privileged];
