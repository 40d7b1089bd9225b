import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  machineIdentityReadPermission,
  machineIdentityRevokeApprovePermission,
  machineIdentityScanTriggerPermission,
} from '@keyring/plugin-machine-identity-common';
import { KeyringPermissionPolicy } from './KeyringPermissionPolicy';

function userIn(...refs: string[]): PolicyQueryUser {
  return {
    credentials: {} as PolicyQueryUser['credentials'],
    info: { userEntityRef: 'user:default/x', ownershipEntityRefs: refs },
  };
}

describe('KeyringPermissionPolicy', () => {
  const policy = new KeyringPermissionPolicy(['group:default/security']);

  it('lets every signed-in user read the inventory', async () => {
    const decision = await policy.handle({ permission: machineIdentityReadPermission }, userIn('user:default/x'));
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
  });

  it('reserves scan triggers and revocation approval for admin group members', async () => {
    for (const permission of [machineIdentityScanTriggerPermission, machineIdentityRevokeApprovePermission]) {
      expect((await policy.handle({ permission }, userIn('group:default/payments'))).result).toBe(AuthorizeResult.DENY);
      expect((await policy.handle({ permission }, userIn('group:default/security'))).result).toBe(AuthorizeResult.ALLOW);
      expect((await policy.handle({ permission })).result).toBe(AuthorizeResult.DENY);
    }
  });
});
