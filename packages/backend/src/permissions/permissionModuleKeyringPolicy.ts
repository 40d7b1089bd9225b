import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { InputError } from '@backstage/errors';
import { KeyringPermissionPolicy, type OtherTeamsVisibility } from './KeyringPermissionPolicy';

const VISIBILITIES: OtherTeamsVisibility[] = ['summary', 'full', 'none'];

/**
 * Installs {@link KeyringPermissionPolicy}; admin groups come from
 * `keyring.permissions.adminGroups` (default: the platform and security
 * teams), the visibility of other teams' identities from
 * `keyring.permissions.otherTeams` (default `summary`).
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
        const otherTeams = config.getOptionalString('keyring.permissions.otherTeams') ?? 'summary';
        if (!VISIBILITIES.includes(otherTeams as OtherTeamsVisibility)) {
          throw new InputError(`keyring.permissions.otherTeams must be one of ${VISIBILITIES.join(', ')}, got "${otherTeams}"`);
        }
        policy.setPolicy(
          new KeyringPermissionPolicy(adminGroups, { otherTeams: otherTeams as OtherTeamsVisibility }),
        );
      },
    });
  },
});
