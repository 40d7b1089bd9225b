import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { KeyringPermissionPolicy } from './KeyringPermissionPolicy';

/**
 * Installs {@link KeyringPermissionPolicy}; admin groups come from
 * `keyring.permissions.adminGroups` (default: the platform and security teams).
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'keyring-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const adminGroups = config.getOptionalStringArray(
          'keyring.permissions.adminGroups',
        ) ?? ['group:default/platform-team', 'group:default/security'];
        policy.setPolicy(new KeyringPermissionPolicy(adminGroups));
      },
    });
  },
});
