import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import type { PolicyRule } from '../policy/PolicyRule';

/**
 * `any.revoked-reappeared`: a credential whose revocation was verified is
 * seen again by a later scan (someone restored a backup, re-added the key,
 * re-created the Secret). Needs `context.revokedAt`.
 */
export const revokedReappearedRule: PolicyRule = {
  id: 'any.revoked-reappeared',
  appliesTo: IDENTITY_TYPES,
  defaultSeverity: 'error',
  description: 'A credential revoked and verified gone is not seen again.',
  parameters: () => ({}),
  evaluate({ context }) {
    const revokedAt = context.revokedAt;
    if (!revokedAt) return undefined;
    const back = context.observations.filter(o => o.lastSeen > revokedAt);
    if (back.length === 0) return undefined;
    const where = back.slice(0, 3).map(o => o.location).join(', ');
    return {
      ruleId: 'any.revoked-reappeared',
      severity: 'error',
      message: `Revoked (verified ${revokedAt}) but seen again at ${where}${back.length > 3 ? ` and ${back.length - 3} more` : ''}`,
      remediation:
        'Find who restored the credential, remove it again, rotate whatever depended on it, and request its revocation again.',
      details: { revokedAt, places: back.length },
    };
  },
};
