import { createBackendModule } from '@backstage/backend-plugin-api';
import { machineIdentityScannersExtensionPoint } from './extensions';
import type { MachineIdentityScanner } from './types';

/**
 * A backend module that adds one scanner to the machine-identity plugin
 * through {@link machineIdentityScannersExtensionPoint}: for scanners that
 * need no services of their own (tests, benchmarks, small adapters).
 */
export function createScannerModule(options: {
  moduleId: string;
  scanner: MachineIdentityScanner;
}) {
  return createBackendModule({
    pluginId: 'machine-identity',
    moduleId: options.moduleId,
    register(env) {
      env.registerInit({
        deps: { scanners: machineIdentityScannersExtensionPoint },
        async init({ scanners }) {
          scanners.addScanner(options.scanner);
        },
      });
    },
  });
}
