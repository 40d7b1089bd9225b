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
 * Lets backend modules add policy rules: a module ships the rules of its
 * identity type (the TLS module `tls.*`, the SSH module `ssh.*`), with its
 * thresholds read from its own `machineIdentity.policies.<type>` keys. They
 * run before the core's type-agnostic rules, in registration order. Rule ids
 * are unique: adding an id the core or another module already registered
 * throws, which fails the backend's startup.
 */
export interface MachineIdentityPolicyRulesExtensionPoint {
  addPolicyRule(...rules: PolicyRule[]): void;
}

/** Extension point for policy rules. */
export const machineIdentityPolicyRulesExtensionPoint =
  createExtensionPoint<MachineIdentityPolicyRulesExtensionPoint>({
    id: 'machine-identity.policy-rules',
  });
