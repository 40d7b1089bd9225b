import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import type { PolicyRule } from '../policy/PolicyRule';

/**
 * `any.review-overdue`: the identity sits undecided in an ownership review
 * campaign past its due date (`reviewStatus === 'overdue'`, set when the
 * campaign goes overdue, cleared by a decision or the next campaign).
 */
export const reviewOverdueRule: PolicyRule = {
  id: 'any.review-overdue',
  appliesTo: IDENTITY_TYPES,
  defaultSeverity: 'warning',
  description: 'Every identity is attested by its owning Group before its review campaign is due.',
  parameters: () => ({}),
  evaluate({ identity }) {
    if (identity.reviewStatus !== 'overdue' || identity.state !== 'active') {
      return undefined;
    }
    return {
      ruleId: 'any.review-overdue',
      severity: 'warning',
      message: `Ownership review overdue: ${identity.owner ?? 'the owning Group'} has not attested this identity`,
      remediation:
        "Confirm, reassign or request the revocation of the identity in the Group's Ownership review tab.",
    };
  },
};
