import { DAY_MS, formatDays, parseTime, type PolicyRule } from './PolicyRule';

const TOKEN = ['api-token'] as const;

const lifetime: PolicyRule = {
  id: 'token.lifetime',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description: 'A token expires, and lives no longer than the maximum lifetime.',
  parameters: s => ({ maxLifetimeDays: s.token.maxLifetimeDays }),
  evaluate({ identity, settings }) {
    const maxDays = settings.token.maxLifetimeDays;
    const to = parseTime(identity.notAfter);
    if (to === undefined) {
      return {
        ruleId: 'token.lifetime',
        severity: 'error',
        message: `Token never expires (maximum lifetime ${maxDays} days)`,
        remediation: `Replace it with a token that expires within ${maxDays} days, issued and rotated automatically.`,
        details: { maxDays },
      };
    }
    const from = parseTime(identity.notBefore) ?? parseTime(identity.firstSeen);
    if (from === undefined) {
      return undefined;
    }
    const days = (to - from) / DAY_MS;
    if (days <= maxDays) {
      return undefined;
    }
    return {
      ruleId: 'token.lifetime',
      severity: 'warning',
      message: `Token lifetime of ${formatDays(days)} exceeds the ${maxDays}-day maximum`,
      remediation: `Reissue the token with a lifetime of at most ${maxDays} days.`,
      details: { lifetimeDays: days, maxDays },
    };
  },
};

const storage: PolicyRule = {
  id: 'token.storage',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description: 'Token values are kept in a secrets manager.',
  parameters: s => ({ allowedStorage: s.token.allowedStorage }),
  evaluate({ identity, settings }) {
    const where = identity.storage;
    if (!where || settings.token.allowedStorage.includes(where.toLowerCase())) {
      return undefined;
    }
    return {
      ruleId: 'token.storage',
      severity: 'warning',
      message: `Token is stored in ${where}, outside a secrets manager`,
      remediation: `Move the token into a secrets manager (${settings.token.allowedStorage.join(', ')}) and rotate it, since it was exposed.`,
      details: { storage: where },
    };
  },
};

const unused: PolicyRule = {
  id: 'token.unused',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description: 'Tokens unused for longer than the limit are revoked (judged only when last use is known).',
  parameters: s => ({ unusedDays: s.token.unusedDays }),
  evaluate({ identity, settings, nowMs }) {
    const lastUsed = parseTime(identity.lastUsedAt);
    if (lastUsed === undefined) {
      return undefined;
    }
    const days = (nowMs - lastUsed) / DAY_MS;
    if (days <= settings.token.unusedDays) {
      return undefined;
    }
    return {
      ruleId: 'token.unused',
      severity: 'warning',
      message: `Token last used ${formatDays(days)} ago, beyond the ${settings.token.unusedDays}-day limit`,
      remediation: 'Revoke the token; whoever still needs access can request a new one.',
      details: { unusedDays: days, limitDays: settings.token.unusedDays },
    };
  },
};

/** Whether a scope grants more than one workload needs: a wildcard or a configured broad scope. */
export function isBroadScope(scope: string, broadScopes: readonly string[]): boolean {
  const lower = scope.toLowerCase();
  return lower.includes('*') || broadScopes.includes(lower);
}

const scope: PolicyRule = {
  id: 'token.scope',
  appliesTo: TOKEN,
  defaultSeverity: 'warning',
  description: 'Tokens carry narrow scopes: no wildcards and no admin-level scopes.',
  parameters: s => ({ broadScopes: s.token.broadScopes }),
  evaluate({ identity, settings }) {
    const broad = (identity.scopes ?? []).filter(s =>
      isBroadScope(s, settings.token.broadScopes),
    );
    if (broad.length === 0) {
      return undefined;
    }
    return {
      ruleId: 'token.scope',
      severity: 'warning',
      message: `Token has ${broad.length} scope${broad.length === 1 ? '' : 's'} broader than needed: ${broad.join(', ')}`,
      remediation: 'Reissue the token with only the scopes its workload uses.',
      details: { broadScopes: broad },
    };
  },
};

/** API token rules, in evaluation order. */
export const tokenRules: readonly PolicyRule[] = [lifetime, storage, unused, scope];
