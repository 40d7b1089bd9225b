import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  DEFAULT_NAMESPACE,
} from '@backstage/catalog-model';
import { ANNOTATION_FINGERPRINT, ANNOTATION_IDENTITY_ID } from '../constants';
import type { IdentityChange } from '../types';
import {
  MACHINE_IDENTITY_API_VERSION,
  MACHINE_IDENTITY_KIND,
  MACHINE_IDENTITY_LOCATION,
} from './constants';
import { machineIdentityEntityName } from './machineIdentityEntityName';
import type { MachineIdentityEntityV1alpha1 } from './MachineIdentityEntityV1alpha1';

/** Options of {@link identityToEntity}. */
export interface IdentityToEntityOptions {
  /** The entity name; defaults to {@link machineIdentityEntityName} (pass a namer's answer to handle collisions). */
  name?: string;
  /** Catalog namespace; defaults to `default`. */
  namespace?: string;
  /** The `backstage.io/managed-by-location` value; defaults to {@link MACHINE_IDENTITY_LOCATION}. */
  location?: string;
}

/** Longest title kept; display names of odd certificates can be very long. */
const MAX_TITLE_LENGTH = 200;

/**
 * Maps one identity from the change feed to its MachineIdentity entity. Pure
 * and deterministic: the same change always gives the same entity, so an
 * unchanged identity never looks changed to the catalog.
 *
 * The entity carries only what the catalog's users read: the title and name
 * (search), `spec.owner` and `spec.component` (the relations), `spec.type` and
 * `spec.lifecycle` (the catalog table and its filters), `status.state` (gone
 * and revoked entities during their retention) and the fingerprint and
 * identity-id annotations (the entity page reads the rest from Keyring's API
 * by the id). Every field becomes rows of the catalog's search table, and a
 * field that changes often (compliance, review status, expiry) would make the
 * catalog re-process and re-stitch the entity each time; those stay in
 * Keyring's API.
 *
 * `spec.lifecycle` describes the credential itself, in Backstage's vocabulary:
 * `production` while active, `deprecated` once pending revocation, revoked or
 * gone, so the catalog's lifecycle filter separates live credentials from
 * retired ones.
 */
export function identityToEntity(
  change: IdentityChange,
  options: IdentityToEntityOptions = {},
): MachineIdentityEntityV1alpha1 {
  const location = options.location ?? MACHINE_IDENTITY_LOCATION;
  const title = change.displayName.slice(0, MAX_TITLE_LENGTH).trim();
  const spec: MachineIdentityEntityV1alpha1['spec'] = {
    type: change.type,
    lifecycle: change.state === 'active' ? 'production' : 'deprecated',
    status: { state: change.state },
  };
  if (change.owner) spec.owner = change.owner;
  if (change.component) spec.component = change.component;
  if (change.state !== 'active') spec.status.stateChangedAt = change.stateChangedAt;

  return {
    apiVersion: MACHINE_IDENTITY_API_VERSION,
    kind: MACHINE_IDENTITY_KIND,
    metadata: {
      name:
        options.name ?? machineIdentityEntityName(change.type, change.fingerprintSha256),
      namespace: options.namespace ?? DEFAULT_NAMESPACE,
      ...(title ? { title } : {}),
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [ANNOTATION_FINGERPRINT]: change.fingerprintSha256,
        [ANNOTATION_IDENTITY_ID]: change.id,
      },
    },
    spec,
  };
}
