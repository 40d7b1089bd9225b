import { entityKindSchemaValidator, type Entity } from '@backstage/catalog-model';
import type {
  IdentityState,
  IdentityType,
  Management,
  ReviewStatus,
} from '../types';
import { MACHINE_IDENTITY_API_VERSION, MACHINE_IDENTITY_KIND } from './constants';
import schema from './MachineIdentity.v1alpha1.schema.json';

/**
 * A MachineIdentity entity: one credential from Keyring's inventory, owned by
 * a Group and used by a Component.
 */
export interface MachineIdentityEntityV1alpha1 extends Entity {
  apiVersion: typeof MACHINE_IDENTITY_API_VERSION;
  kind: typeof MACHINE_IDENTITY_KIND;
  spec: {
    type: IdentityType;
    /** Entity ref of the owning Group. */
    owner?: string;
    /** Entity ref of the Component that uses the identity. */
    component?: string;
    /** `production` while active, `deprecated` once pending revocation, revoked or gone. */
    lifecycle: string;
    /**
     * @deprecated No longer written (Keyring's API has the expiry); accepted
     * so entities from an older provider stay valid during an upgrade.
     */
    expiresAt?: string;
    status: {
      state: IdentityState;
      /** When the state last changed; set once the identity is no longer active. */
      stateChangedAt?: string;
      /** @deprecated No longer written; Keyring's API has the open violations. */
      compliance?: 'compliant' | 'violating';
      /** @deprecated No longer written; Keyring's API has the review status. */
      review?: ReviewStatus;
      /** @deprecated No longer written; Keyring's API has how rotation is managed. */
      management?: Management;
    };
  };
}

/** The JSON schema of the MachineIdentity kind (`$id: MachineIdentityV1alpha1`). */
export const machineIdentityEntityV1alpha1Schema: unknown = schema;

/**
 * Validates an entity against the MachineIdentity schema. Returns the entity
 * when it is a valid MachineIdentity, `false` when it is another kind, and
 * throws a TypeError naming the offending fields when it is an invalid
 * MachineIdentity.
 */
export const machineIdentityEntityV1alpha1Validator =
  entityKindSchemaValidator<MachineIdentityEntityV1alpha1>(schema);

/** Whether an entity is a MachineIdentity (by apiVersion and kind; does not validate). */
export function isMachineIdentityEntity(
  entity: Entity | undefined,
): entity is MachineIdentityEntityV1alpha1 {
  return (
    entity?.apiVersion === MACHINE_IDENTITY_API_VERSION &&
    entity?.kind === MACHINE_IDENTITY_KIND
  );
}
