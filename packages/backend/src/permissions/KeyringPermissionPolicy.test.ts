import { AuthorizeResult, createPermission } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  machineIdentityDetailsReadPermission,
  machineIdentityReadPermission,
  machineIdentityReviewCampaignCreatePermission,
  machineIdentityReviewPermission,
  machineIdentityRevokeApprovePermission,
  machineIdentityRevokeRequestPermission,
  machineIdentityScanTriggerPermission,
} from '@keyring/plugin-machine-identity-common';
import { KeyringPermissionPolicy } from './KeyringPermissionPolicy';

function userIn(...refs: string[]): PolicyQueryUser {
  return {
    credentials: {} as PolicyQueryUser['credentials'],
    info: { userEntityRef: 'user:default/x', ownershipEntityRefs: refs },
  };
}

const catalogLocationCreate = createPermission({ name: 'catalog.location.create', attributes: { action: 'create' } });
const catalogEntityDelete = createPermission({ name: 'catalog.entity.delete', attributes: { action: 'delete' }, resourceType: 'catalog-entity' });
const catalogEntityRead = createPermission({ name: 'catalog.entity.read', attributes: { action: 'read' }, resourceType: 'catalog-entity' });

const ownedByPayments = {
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'machine-identity',
  resourceType: 'machine-identity',
  conditions: {
    rule: 'isOwner',
    resourceType: 'machine-identity',
    params: { claims: ['user:default/x', 'group:default/payments'] },
  },
};

describe('KeyringPermissionPolicy', () => {
  const policy = new KeyringPermissionPolicy(['group:default/security']);
  const member = userIn('user:default/x', 'group:default/payments');

  it('lets every signed-in user read the inventory, other teams in summary by default', async () => {
    const decision = await policy.handle({ permission: machineIdentityReadPermission }, userIn('user:default/x'));
    expect(decision.result).toBe(AuthorizeResult.ALLOW);
    expect(await policy.handle({ permission: machineIdentityDetailsReadPermission }, member)).toEqual(ownedByPayments);
    expect((await policy.handle({ permission: machineIdentityDetailsReadPermission }, userIn('group:default/security'))).result)
      .toBe(AuthorizeResult.ALLOW);
  });

  it('shows other teams in full or not at all when configured', async () => {
    const full = new KeyringPermissionPolicy(['group:default/security'], { otherTeams: 'full' });
    expect((await full.handle({ permission: machineIdentityDetailsReadPermission }, member)).result).toBe(AuthorizeResult.ALLOW);
    const none = new KeyringPermissionPolicy(['group:default/security'], { otherTeams: 'none' });
    expect(await none.handle({ permission: machineIdentityReadPermission }, member)).toEqual(ownedByPayments);
    expect(await none.handle({ permission: machineIdentityDetailsReadPermission }, member)).toEqual(ownedByPayments);
  });

  it('lets only the owning team waive, even admins outside it', async () => {
    expect(await policy.handle({ permission: machineIdentityReviewPermission }, member)).toEqual(ownedByPayments);
    const admin = await policy.handle({ permission: machineIdentityReviewPermission }, userIn('user:default/x', 'group:default/security'));
    expect(admin).toMatchObject({ result: AuthorizeResult.CONDITIONAL, conditions: { rule: 'isOwner' } });
    expect(await policy.handle({ permission: machineIdentityRevokeRequestPermission }, member)).toEqual(ownedByPayments);
  });

  it('lets the owning team and admins request, approve and reject revocations', async () => {
    for (const permission of [machineIdentityRevokeRequestPermission, machineIdentityRevokeApprovePermission]) {
      expect(await policy.handle({ permission }, member)).toEqual(ownedByPayments);
      expect((await policy.handle({ permission }, userIn('group:default/security'))).result).toBe(AuthorizeResult.ALLOW);
    }
  });

  it('reserves scan triggers and review campaigns for admin group members', async () => {
    for (const permission of [
      machineIdentityScanTriggerPermission,
      machineIdentityReviewCampaignCreatePermission,
    ]) {
      expect((await policy.handle({ permission }, userIn('group:default/payments'))).result).toBe(AuthorizeResult.DENY);
      expect((await policy.handle({ permission }, userIn('group:default/security'))).result).toBe(AuthorizeResult.ALLOW);
      expect((await policy.handle({ permission })).result).toBe(AuthorizeResult.DENY);
    }
  });

  it('denies catalog writes to non-admins and allows catalog reads', async () => {
    for (const permission of [catalogLocationCreate, catalogEntityDelete]) {
      expect((await policy.handle({ permission }, member)).result).toBe(AuthorizeResult.DENY);
      expect((await policy.handle({ permission }, userIn('group:default/security'))).result).toBe(AuthorizeResult.ALLOW);
      // service principals (the catalog's own providers, other plugins) keep writing
      expect((await policy.handle({ permission })).result).toBe(AuthorizeResult.ALLOW);
    }
    expect((await policy.handle({ permission: catalogEntityRead }, member)).result).toBe(AuthorizeResult.ALLOW);
  });
});
