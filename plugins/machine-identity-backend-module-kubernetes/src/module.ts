import { createBackendModule } from '@backstage/backend-plugin-api';
import { machineIdentityScannersExtensionPoint } from '@keyring/plugin-machine-identity-node';
import { KubernetesScanner } from './KubernetesScanner';

/**
 * Adds the Kubernetes scanner (source type `kubernetes`) to the
 * machine-identity plugin.
 */
export const machineIdentityModuleKubernetes = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'kubernetes',
  register(env) {
    env.registerInit({
      deps: { scanners: machineIdentityScannersExtensionPoint },
      async init({ scanners }) {
        scanners.addScanner(KubernetesScanner.create());
      },
    });
  },
});
