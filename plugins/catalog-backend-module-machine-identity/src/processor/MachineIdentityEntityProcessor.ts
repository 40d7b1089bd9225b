import {
  type Entity,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import {
  type CatalogProcessor,
  type CatalogProcessorEmit,
  type LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import {
  isMachineIdentityEntity,
  MACHINE_IDENTITY_KIND,
  MACHINE_IDENTITY_LOCATION_TYPE,
  MACHINE_IDENTITY_RELATIONS,
  machineIdentityEntityV1alpha1Validator,
} from '@keyring/plugin-machine-identity-common';

/** Options of {@link MachineIdentityEntityProcessor}. */
export interface MachineIdentityEntityProcessorOptions {
  /**
   * Whether to emit the owner-side relations too (`ownerOf` from the Group,
   * `dependsOn` from the Component). Default true. With false only the
   * identity-side ones (`ownedBy`, `dependencyOf`) are emitted: a relation is
   * stitched into the entity that is its source, so the Group and Component
   * are no longer re-stitched for every identity they own or use — and their
   * entities no longer list their machine identities in `relations`.
   */
  ownerSideRelations?: boolean;
}

/**
 * Validates MachineIdentity entities against their schema and emits both
 * directions of their relations: `ownedBy`/`ownerOf` with the owning Group
 * and `dependencyOf`/`dependsOn` with the Component that uses the identity
 * (only the identity-side ones with `ownerSideRelations: false`).
 * MachineIdentity entities are accepted only from Keyring's entity provider
 * (location type `keyring-inventory`): one registered from a file or URL
 * could claim any owner, so it is refused.
 */
export class MachineIdentityEntityProcessor implements CatalogProcessor {
  private readonly ownerSideRelations: boolean;

  constructor(options: MachineIdentityEntityProcessorOptions = {}) {
    this.ownerSideRelations = options.ownerSideRelations ?? true;
  }

  getProcessorName(): string {
    return 'MachineIdentityEntityProcessor';
  }

  /**
   * Claims MachineIdentity entities; throws a TypeError listing the bad fields
   * of an invalid one. The catalog asks every processor about every entity,
   * so other kinds are answered from apiVersion and kind alone, without
   * running the schema validator on them.
   */
  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isMachineIdentityEntity(entity)) return false;
    return machineIdentityEntityV1alpha1Validator(entity) !== false;
  }

  /**
   * Refuses a MachineIdentity that does not come from Keyring's provider
   * (after schema validation, so an invalid entity still reports its bad
   * fields), then emits the relations.
   */
  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isMachineIdentityEntity(entity)) {
      return entity;
    }
    if (location.type !== MACHINE_IDENTITY_LOCATION_TYPE) {
      throw new InputError(
        `${MACHINE_IDENTITY_KIND} entities come only from Keyring's inventory; refused ${entity.metadata.name} from ${location.type}:${location.target}`,
      );
    }
    const self = getCompoundEntityRef(entity);
    const { owner, component } = entity.spec;
    const namespace = self.namespace;

    if (owner) {
      const group = parseEntityRef(owner, { defaultKind: 'Group', defaultNamespace: namespace });
      emit(processingResult.relation({
        source: self, type: MACHINE_IDENTITY_RELATIONS.ownedBy, target: group,
      }));
      if (this.ownerSideRelations) {
        emit(processingResult.relation({
          source: group, type: MACHINE_IDENTITY_RELATIONS.ownerOf, target: self,
        }));
      }
    }
    if (component) {
      const target = parseEntityRef(component, {
        defaultKind: 'Component',
        defaultNamespace: namespace,
      });
      emit(processingResult.relation({
        source: self, type: MACHINE_IDENTITY_RELATIONS.dependencyOf, target,
      }));
      if (this.ownerSideRelations) {
        emit(processingResult.relation({
          source: target, type: MACHINE_IDENTITY_RELATIONS.dependsOn, target: self,
        }));
      }
    }
    return entity;
  }
}
