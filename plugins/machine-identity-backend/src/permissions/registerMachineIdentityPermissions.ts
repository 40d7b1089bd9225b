import type {
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  machineIdentityPermissions,
  type Identity,
} from '@keyring/plugin-machine-identity-common';
import { IdentityAccess } from './IdentityAccess';
import { machineIdentityPermissionRules, machineIdentityResourceRef } from './rules';

/**
 * Registers Keyring's permissions and the `machine-identity` resource type
 * (rules `isOwner`, `hasType`, `isOrphan`; resources loaded by id for the
 * permission backend's condition checks) and returns the API's access helper.
 */
export function registerMachineIdentityPermissions(options: {
  registry: PermissionsRegistryService;
  permissions: PermissionsService;
  getIdentity: (id: string) => Promise<Identity | undefined>;
}): IdentityAccess {
  const { registry, getIdentity } = options;
  registry.addResourceType({
    resourceRef: machineIdentityResourceRef,
    rules: Object.values(machineIdentityPermissionRules),
    permissions: machineIdentityPermissions,
    getResources: async ids => Promise.all(ids.map(id => getIdentity(id))),
  });
  return IdentityAccess.create({
    permissions: options.permissions,
    ruleset: registry.getPermissionRuleset(machineIdentityResourceRef),
  });
}
