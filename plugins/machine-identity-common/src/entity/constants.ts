import {
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
} from '@backstage/catalog-model';

/** The `apiVersion` of the MachineIdentity kind. */
export const MACHINE_IDENTITY_API_VERSION = 'keyring.io/v1alpha1';

/** The catalog kind Keyring mirrors its inventory into. */
export const MACHINE_IDENTITY_KIND = 'MachineIdentity';

/**
 * Location type of MachineIdentity entities' `backstage.io/managed-by-location`
 * and `backstage.io/managed-by-origin-location` annotations: the entities come
 * from Keyring's inventory, not from a file.
 */
export const MACHINE_IDENTITY_LOCATION_TYPE = 'keyring-inventory';

/** The location (and location key) MachineIdentity entities are managed by. */
export const MACHINE_IDENTITY_LOCATION = `${MACHINE_IDENTITY_LOCATION_TYPE}:machine-identity`;

/**
 * The relations a MachineIdentity takes part in, both directions. The owner
 * Group `ownerOf` the identity, which is `ownedBy` it; the Component
 * `dependsOn` the identity, which is a `dependencyOf` it. `dependsOn` is what
 * the Component page's "depends on resources/components" cards and the catalog
 * graph follow.
 */
export const MACHINE_IDENTITY_RELATIONS = {
  /** MachineIdentity → Group. */
  ownedBy: RELATION_OWNED_BY,
  /** Group → MachineIdentity. */
  ownerOf: RELATION_OWNER_OF,
  /** MachineIdentity → Component. */
  dependencyOf: RELATION_DEPENDENCY_OF,
  /** Component → MachineIdentity. */
  dependsOn: RELATION_DEPENDS_ON,
} as const;

/** Short, DNS-label safe name prefixes per identity type. */
export const MACHINE_IDENTITY_NAME_PREFIXES = {
  'tls-certificate': 'tls',
  'ssh-key': 'ssh',
  'api-token': 'token',
  'service-account': 'sa',
  'workload-identity': 'wid',
  secret: 'secret',
} as const;
