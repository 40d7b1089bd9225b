import type { Entity } from '@backstage/catalog-model';
import { LINK_ANNOTATIONS } from '@keyring/plugin-machine-identity-common';

/**
 * Whether Keyring has something to show for an entity: it carries one of the
 * annotations that link identities to it (`keyring.io/hostnames`, …,
 * `backstage.io/kubernetes-id`), or it is a MachineIdentity itself.
 *
 * @public
 */
export function isMachineIdentityAvailable(entity: Entity): boolean {
  if (entity.kind.toLocaleLowerCase('en-US') === 'machineidentity') {
    return true;
  }
  const annotations = entity.metadata.annotations ?? {};
  return LINK_ANNOTATIONS.some(key => !!annotations[key]?.trim());
}
