import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of machine identities in the permission framework. */
export const MACHINE_IDENTITY_RESOURCE_TYPE = 'machine-identity';

/** Read identities, scans and violations. */
export const machineIdentityReadPermission = createPermission({
  name: 'machine-identity.read',
  attributes: { action: 'read' },
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/**
 * See where an identity lives and what happened to it: its observations,
 * open violations and history in `GET /identities/{id}`. Without it (the
 * portal shows other teams' identities in summary) the details come back
 * `restricted`, with those lists empty.
 */
export const machineIdentityDetailsReadPermission = createPermission({
  name: 'machine-identity.details.read',
  attributes: { action: 'read' },
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/** Record review decisions (confirm, reassign) on identities. */
export const machineIdentityReviewPermission = createPermission({
  name: 'machine-identity.review',
  attributes: { action: 'update' },
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/**
 * Approve or reject someone else's waiver request (separation of duties: the
 * plugin refuses an approval by the requester whatever the policy says).
 */
export const machineIdentityReviewApprovePermission = createPermission({
  name: 'machine-identity.review.approve',
  attributes: { action: 'update' },
});

/** Open ownership review campaigns by hand (admins; campaigns also open on a schedule). */
export const machineIdentityReviewCampaignCreatePermission = createPermission({
  name: 'machine-identity.review.campaign.create',
  attributes: { action: 'create' },
});

/** Request the revocation of an identity. */
export const machineIdentityRevokeRequestPermission = createPermission({
  name: 'machine-identity.revoke.request',
  attributes: { action: 'create' },
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/**
 * Approve or reject someone else's revocation request, on the request's
 * identity (a conditional policy, e.g. `isOwner`, limits it to the owning team).
 */
export const machineIdentityRevokeApprovePermission = createPermission({
  name: 'machine-identity.revoke.approve',
  attributes: { action: 'update' },
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/** Trigger a discovery scan. */
export const machineIdentityScanTriggerPermission = createPermission({
  name: 'machine-identity.scan.trigger',
  attributes: { action: 'create' },
});

/** Every permission Keyring defines. */
export const machineIdentityPermissions = [
  machineIdentityReadPermission,
  machineIdentityDetailsReadPermission,
  machineIdentityReviewPermission,
  machineIdentityReviewApprovePermission,
  machineIdentityReviewCampaignCreatePermission,
  machineIdentityRevokeRequestPermission,
  machineIdentityRevokeApprovePermission,
  machineIdentityScanTriggerPermission,
];
