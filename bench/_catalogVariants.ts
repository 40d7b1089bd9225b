/**
 * The catalog configurations bench/catalog.ts compares in one run: `before`
 * is Keyring's catalog path as it was before issue #16 (entity with
 * compliance, review, management and expiry; a processor that runs the
 * schema validator on every entity of every kind), `after` is today's, in one
 * catalog process or two sharing the PostgreSQL database. The 2-process
 * variants compare the owner levers: `unordered-2` sends feed pages in feed
 * order (as before the provider grouped by owner), `after-2` groups by owner
 * (the default), `oneway-2` also emits only the identity-side relations
 * (`ownerSideRelations: false`); `oneway-3` is that in 3 catalog processes;
 * `grouped-all-2` groups the whole feed at once (one window).
 */
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import type { CatalogProcessor } from '@backstage/plugin-catalog-node';
import {
  type IdentityChange,
  identityToEntity,
  machineIdentityEntityV1alpha1Validator,
} from '@keyring/plugin-machine-identity-common';
import { MachineIdentityEntityProcessor } from '../plugins/catalog-backend-module-machine-identity/src/processor/MachineIdentityEntityProcessor';
import type {
  EntityMapper,
  MachineIdentityEntityProviderOptions,
} from '../plugins/catalog-backend-module-machine-identity/src/provider/types';

/** The entity the provider wrote before #16: today's plus the fields only Keyring's API needs. */
function entityBefore(change: IdentityChange, target: { name: string; namespace: string }): Entity {
  const entity = identityToEntity(change, target);
  return {
    ...entity,
    spec: {
      ...entity.spec,
      ...(change.notAfter ? { expiresAt: change.notAfter } : {}),
      status: {
        ...entity.spec.status,
        compliance: change.compliance,
        review: change.reviewStatus,
        management: change.management,
      },
    },
  };
}

/** The processor before #16: the schema validator ran on every entity the catalog processed. */
class ProcessorBefore extends MachineIdentityEntityProcessor {
  async validateEntityKind(entity: Entity): Promise<boolean> {
    return machineIdentityEntityV1alpha1Validator(entity) !== false;
  }
}

export interface CatalogVariant {
  name: 'before' | 'after' | 'after-2' | 'unordered-2' | 'grouped-all-2' | 'oneway-2' | 'oneway-3';
  describe: string;
  /** Catalog processes sharing the database (PostgreSQL only for more than 1). */
  processes: 1 | 2 | 3;
  toEntity?: EntityMapper;
  /** Provider options besides the mapping and batch size. */
  provider?: Partial<MachineIdentityEntityProviderOptions>;
  processor: () => CatalogProcessor;
  /** The `catalog` config section. */
  catalog: JsonObject;
}

// Both: re-process rarely so the loop works on changes (stitching is always
// deferred in catalog-backend 4.0.0; `stitchingStrategy.mode` no longer exists).
const catalogConfig: JsonObject = {
  processingInterval: { hours: 1 },
  stitchingStrategy: { pollingInterval: { milliseconds: 200 } },
};

export const CATALOG_VARIANTS: CatalogVariant[] = [
  {
    name: 'before',
    describe: 'before #16: full entity, schema validator on every kind, 1 catalog process',
    processes: 1,
    toEntity: entityBefore,
    processor: () => new ProcessorBefore(),
    catalog: catalogConfig,
  },
  {
    name: 'after',
    describe: 'after: slim entity, processor claims by kind first, 1 catalog process',
    processes: 1,
    processor: () => new MachineIdentityEntityProcessor(),
    catalog: catalogConfig,
  },
  {
    name: 'unordered-2',
    describe: 'after, feed order (not grouped by owner), 2 catalog processes on one PostgreSQL database',
    processes: 2,
    provider: { orderWindow: 0 },
    processor: () => new MachineIdentityEntityProcessor(),
    catalog: catalogConfig,
  },
  {
    name: 'after-2',
    describe: 'after, grouped by owner, 2 catalog processes on one PostgreSQL database',
    processes: 2,
    processor: () => new MachineIdentityEntityProcessor(),
    catalog: catalogConfig,
  },
  {
    name: 'grouped-all-2',
    describe: 'after, the whole feed grouped by owner in one window, 2 catalog processes on one PostgreSQL database',
    processes: 2,
    provider: { orderWindow: Number.MAX_SAFE_INTEGER },
    processor: () => new MachineIdentityEntityProcessor(),
    catalog: catalogConfig,
  },
  {
    name: 'oneway-2',
    describe: 'after, grouped by owner, identity-side relations only (ownerSideRelations: false), 2 catalog processes',
    processes: 2,
    processor: () => new MachineIdentityEntityProcessor({ ownerSideRelations: false }),
    catalog: catalogConfig,
  },
  {
    name: 'oneway-3',
    describe: 'after, grouped by owner, identity-side relations only (ownerSideRelations: false), 3 catalog processes',
    processes: 3,
    processor: () => new MachineIdentityEntityProcessor({ ownerSideRelations: false }),
    catalog: catalogConfig,
  },
];

export function catalogVariant(name: string): CatalogVariant {
  const variant = CATALOG_VARIANTS.find(v => v.name === name);
  if (!variant) throw new Error(`unknown catalog variant ${name}`);
  return variant;
}
