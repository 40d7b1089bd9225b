import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { AwsCredentialRevoker } from './revoker/AwsCredentialRevoker';
import { AwsIamScanner } from './scanning/AwsIamScanner';

/**
 * Adds the AWS scanner (source type `aws-iam`) and the AWS revoker (access
 * keys deactivated then deleted, role policies detached) to the
 * machine-identity plugin.
 */
export const machineIdentityModuleAws = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'aws',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        revokers: machineIdentityRevokersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scanners, revokers, config }) {
        scanners.addScanner(AwsIamScanner.create());
        revokers.addRevoker(AwsCredentialRevoker.fromConfig(config));
      },
    });
  },
});
