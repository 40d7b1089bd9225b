import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { DatabaseAuditStore } from './DatabaseAuditStore';
import { DatabaseChangeFeedStore } from './DatabaseChangeFeedStore';
import { DatabaseDigestStore } from './DatabaseDigestStore';
import { DatabaseIdentityStore } from './DatabaseIdentityStore';
import { DatabaseScanRunStore } from './DatabaseScanRunStore';
import { DatabaseSettingsStore } from './DatabaseSettingsStore';
import { DatabaseSightingStore } from './DatabaseSightingStore';
import { DatabaseViolationStore } from './DatabaseViolationStore';
import { InventoryDatabase, type StoreTransaction } from './InventoryDatabase';
import type { InventoryStores } from './types';

function storesOn(database: InventoryDatabase): InventoryStores {
  return {
    identities: DatabaseIdentityStore.create({ database }),
    changes: DatabaseChangeFeedStore.create({ database }),
    scanRuns: DatabaseScanRunStore.create({ database }),
    violations: DatabaseViolationStore.create({ database }),
    audit: DatabaseAuditStore.create({ database }),
    settings: DatabaseSettingsStore.create({ database }),
    digests: DatabaseDigestStore.create({ database }),
    sightings: DatabaseSightingStore.create({ database }),
    transaction: <T>(fn: (tx: StoreTransaction) => Promise<T>, tx?: StoreTransaction) =>
      database.transaction(fn, tx),
  };
}

/**
 * Builds every inventory store over the plugin database, running the
 * migrations first unless `database.migrations.skip` is set.
 *
 * @internal
 */
export const DatabaseInventoryStores = {
  async create(options: { database: DatabaseService }): Promise<InventoryStores> {
    return storesOn(await InventoryDatabase.create(options));
  },
  /** For tests and benchmarks that hold a knex instance already. */
  async fromKnex(client: Knex, options?: { skipMigrations?: boolean }): Promise<InventoryStores> {
    return storesOn(await InventoryDatabase.fromKnex(client, options));
  },
};
