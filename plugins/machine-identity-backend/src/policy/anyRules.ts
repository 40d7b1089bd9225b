import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import type { PolicyRule } from './PolicyRule';

const orphan: PolicyRule = {
  id: 'any.orphan',
  appliesTo: IDENTITY_TYPES,
  defaultSeverity: 'warning',
  description: 'Every identity has an owner other than the fallback Group.',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.ownershipRule !== 'fallback' && identity.owner) {
      return undefined;
    }
    return {
      ruleId: 'any.orphan',
      severity: 'warning',
      message: identity.owner
        ? `No owner found: assigned to the fallback group ${identity.owner}`
        : 'No owner found',
      remediation:
        'Link the identity to its Component (keyring.io annotations, backstage.io/kubernetes-id label, AWS tags) or decide its owner in a review.',
    };
  },
};

/** Rules for every identity type, in evaluation order. */
export const anyRules: readonly PolicyRule[] = [orphan];
