import { createExtensionPoint } from '@backstage/backend-plugin-api';
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
