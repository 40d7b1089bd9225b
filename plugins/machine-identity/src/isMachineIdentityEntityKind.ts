import type { Entity } from '@backstage/catalog-model';

/** Whether an entity is of kind MachineIdentity. */
export function isMachineIdentityEntityKind(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'machineidentity';
}
