import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import type { DeferredEntity } from '@backstage/plugin-catalog-node';
import type { EntityMapper } from './types';
import {
  type IdentityChange,
  type IdentityType,
  identityToEntity,
  MACHINE_IDENTITY_KIND,
  MACHINE_IDENTITY_LOCATION,
  MachineIdentityEntityNamer,
  machineIdentityEntityV1alpha1Validator,
} from '@keyring/plugin-machine-identity-common';

/**
 * Turns change feed items into entity refs and validated MachineIdentity
 * entities. Holds the namer, so a fingerprint sharing a prefix with an
 * earlier one keeps its longer name for the life of the process.
 */
export class EntityMapping {
  private readonly namer = new MachineIdentityEntityNamer();

  constructor(
    private readonly namespace: string,
    private readonly logger: LoggerService,
    private readonly toEntityOf: EntityMapper = identityToEntity,
  ) {}

  /** Seeds the namer with a name the catalog already shows (names survive restarts). */
  remember(name: string, type: IdentityType, fingerprintSha256: string): void {
    this.namer.remember(name, type, fingerprintSha256);
  }

  /** The item's entity ref, or undefined (logged) when it cannot be named. */
  refOf(item: IdentityChange): string | undefined {
    try {
      const name = this.namer.nameFor(item.type, item.fingerprintSha256);
      return `${MACHINE_IDENTITY_KIND.toLocaleLowerCase('en-US')}:${this.namespace}/${name}`;
    } catch (error) {
      this.logger.warn(`Skipped machine identity ${item.id}: ${stringifyError(error)}`);
      return undefined;
    }
  }

  /** The item's entity, validated against the kind's schema, or undefined (logged) when invalid. */
  toEntity(item: IdentityChange): DeferredEntity | undefined {
    try {
      const entity = this.toEntityOf(item, {
        name: this.namer.nameFor(item.type, item.fingerprintSha256),
        namespace: this.namespace,
      });
      machineIdentityEntityV1alpha1Validator(entity);
      return { entity, locationKey: MACHINE_IDENTITY_LOCATION };
    } catch (error) {
      this.logger.warn(
        `Skipped machine identity ${item.id}: it does not make a valid MachineIdentity entity: ${stringifyError(error)}`,
      );
      return undefined;
    }
  }
}
