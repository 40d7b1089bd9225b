import type { AuthService } from '@backstage/backend-plugin-api';
import { ANNOTATION_LOCATION, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_FINGERPRINT,
  type IdentityType,
  MACHINE_IDENTITY_KIND,
} from '@keyring/plugin-machine-identity-common';

/** A MachineIdentity entity the catalog holds for the provider. */
export interface ListedEntity {
  entityRef: string;
  name: string;
  type?: IdentityType;
  fingerprintSha256?: string;
}

/** Lists the MachineIdentity entities the catalog currently shows for a location. */
export interface CatalogEntityLister {
  list(location: string): Promise<ListedEntity[]>;
}

const PAGE_SIZE = 10_000;

/** Lists through the catalog's own API with the module's service credentials. */
export class DefaultCatalogEntityLister implements CatalogEntityLister {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async list(location: string): Promise<ListedEntity[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const result: ListedEntity[] = [];
    let cursor: string | undefined;
    do {
      const request = cursor
        ? { cursor, limit: PAGE_SIZE }
        : {
            filter: {
              kind: MACHINE_IDENTITY_KIND,
              [`metadata.annotations.${ANNOTATION_LOCATION}`]: location,
            },
            fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'spec.type'],
            limit: PAGE_SIZE,
          };
      const page = await this.catalog.queryEntities(request, { credentials });
      for (const entity of page.items) {
        result.push({
          entityRef: stringifyEntityRef(entity),
          name: entity.metadata.name,
          type: entity.spec?.type as IdentityType | undefined,
          fingerprintSha256: entity.metadata.annotations?.[ANNOTATION_FINGERPRINT],
        });
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return result;
  }
}
