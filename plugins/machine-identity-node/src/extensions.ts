import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { PolicyRule } from './policy';
import type { MachineIdentityRevoker } from './revokers';
import type { MachineIdentityScanner } from './types';

/** Lets backend modules add discovery scanners to the machine-identity plugin. */
export interface MachineIdentityScannersExtensionPoint {
  addScanner(...scanners: MachineIdentityScanner[]): void;
}

/** Extension point for discovery scanners. */
export const machineIdentityScannersExtensionPoint =
  createExtensionPoint<MachineIdentityScannersExtensionPoint>({
    id: 'machine-identity.scanners',
  });

/** Lets backend modules add revokers used by the decommission workflow. */
export interface MachineIdentityRevokersExtensionPoint {
  addRevoker(...revokers: MachineIdentityRevoker[]): void;
}

/** Extension point for revokers. */
export const machineIdentityRevokersExtensionPoint =
  createExtensionPoint<MachineIdentityRevokersExtensionPoint>({
    id: 'machine-identity.revokers',
  });

/**
 * Lets backend modules add policy rules, e.g. the rules of the identity type
 * their scanners discover. Rules run after the core's built-in ones, in
 * registration order; a rule with a built-in id replaces it.
 */
export interface MachineIdentityPolicyRulesExtensionPoint {
  addPolicyRule(...rules: PolicyRule[]): void;
}

/** Extension point for policy rules. */
export const machineIdentityPolicyRulesExtensionPoint =
  createExtensionPoint<MachineIdentityPolicyRulesExtensionPoint>({
    id: 'machine-identity.policy-rules',
  });
