import type { InventoryDatabase } from './InventoryDatabase';
import type { SettingsStore } from './types';

/**
 * Plugin settings in the `settings` key/value table.
 *
 * @internal
 */
export class DatabaseSettingsStore implements SettingsStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseSettingsStore {
    return new DatabaseSettingsStore(options.database);
  }

  async getOrCreate(key: string, create: () => string): Promise<string> {
    const db = this.database.knex;
    const existing = await db('settings').where({ key }).first();
    if (existing) {
      return existing.value;
    }
    await db('settings').insert({ key, value: create() }).onConflict('key').ignore();
    const row = await db('settings').where({ key }).first();
    return row.value;
  }
}
