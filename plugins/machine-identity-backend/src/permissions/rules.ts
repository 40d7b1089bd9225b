import {
  IDENTITY_TYPES,
  MACHINE_IDENTITY_PLUGIN_ID,
  MACHINE_IDENTITY_RESOURCE_TYPE,
  type Identity,
} from '@keyring/plugin-machine-identity-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { z } from 'zod';
import type { IdentityAccessCondition } from '../database/types';

/** The `machine-identity` resource type: identities, filtered by {@link IdentityAccessCondition}s. */
export const machineIdentityResourceRef = createPermissionResourceRef<Identity, IdentityAccessCondition>().with({
  pluginId: MACHINE_IDENTITY_PLUGIN_ID,
  resourceType: MACHINE_IDENTITY_RESOURCE_TYPE,
});

/** Whether an identity has no known owner (the fallback owner, or none). */
export function isOrphanIdentity(identity: Identity): boolean {
  return identity.ownershipRule === 'fallback' || !identity.owner;
}

const isOwner = createPermissionRule({
  name: 'isOwner',
  description: "Allow identities whose owner is one of the caller's ownership refs (its user ref and Groups)",
  resourceRef: machineIdentityResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Ownership entity refs of the caller, e.g. group:default/payments'),
  }),
  apply: (identity, { claims }) =>
    !!identity.owner && claims.some(ref => ref.toLowerCase() === identity.owner!.toLowerCase()),
  toQuery: ({ claims }) => ({ key: 'owner' as const, values: claims.map(ref => ref.toLowerCase()) }),
});

const hasType = createPermissionRule({
  name: 'hasType',
  description: 'Allow identities of one of the given types',
  resourceRef: machineIdentityResourceRef,
  paramsSchema: z.object({
    types: z.array(z.enum(IDENTITY_TYPES as [Identity['type'], ...Identity['type'][]])).describe('Identity types'),
  }),
  apply: (identity, { types }) => types.includes(identity.type),
  toQuery: ({ types }) => ({ key: 'type' as const, values: types }),
});

const isOrphan = createPermissionRule({
  name: 'isOrphan',
  description: 'Allow identities without a known owner (owned by the fallback group or nobody)',
  resourceRef: machineIdentityResourceRef,
  apply: identity => isOrphanIdentity(identity),
  toQuery: () => ({ key: 'orphan' as const, value: true }),
});

/** The permission rules of the `machine-identity` resource type. */
export const machineIdentityPermissionRules = { isOwner, hasType, isOrphan };

/**
 * Conditions for permission policies (`machineIdentityConditions.isOwner({ claims })`)
 * and the factory of conditional decisions on `machine-identity` permissions.
 */
export const {
  conditions: machineIdentityConditions,
  createConditionalDecision: createMachineIdentityConditionalDecision,
} = createConditionExports({ resourceRef: machineIdentityResourceRef, rules: machineIdentityPermissionRules });
