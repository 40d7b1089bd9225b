import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { KubernetesScanner } from './KubernetesScanner';
import { KubernetesSecretRevoker } from './revoker/KubernetesSecretRevoker';

/**
 * Adds the Kubernetes scanner (source type `kubernetes`) and the Kubernetes
 * Secret revoker to the machine-identity plugin.
 */
export const machineIdentityModuleKubernetes = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'kubernetes',
  register(env) {
    env.registerInit({
      deps: { scanners: machineIdentityScannersExtensionPoint, revokers: machineIdentityRevokersExtensionPoint },
      async init({ scanners, revokers }) {
        scanners.addScanner(KubernetesScanner.create());
        revokers.addRevoker(KubernetesSecretRevoker.create());
      },
    });
  },
});
