import { createExtensionPoint } from '@backstage/backend-plugin-api';
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
