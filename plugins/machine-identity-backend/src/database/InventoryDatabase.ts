import type { DatabaseService } from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@keyring/plugin-machine-identity-backend',
  'migrations',
);

/**
 * Rows per statement: 1,000 rows of at most 26 columns stay below SQLite's
 * (32,766) and PostgreSQL's (65,535) bound-parameter limits.
 */
export const CHUNK = 1000;
/** knex writes a multi-row SQLite insert as a compound SELECT, capped at 500 terms. */
const SQLITE_INSERT_CHUNK = 500;
/** Advisory lock key that serialises identity writers on PostgreSQL. */
const IDENTITY_WRITE_LOCK = 7_340_731;

/**
 * A transaction of the inventory database. Domain code passes it between
 * stores so that one decision's rows commit together; only stores look inside.
 */
export type StoreTransaction = Knex.Transaction;

/** Splits `items` into slices of at most `size`. */
export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Whether `knex` talks to PostgreSQL (else SQLite), under any of knex's names for the client. */
export function isPostgresClient(knex: Knex): boolean {
  return ['pg', 'postgres', 'postgresql'].includes(String(knex.client.config.client ?? ''));
}

/**
 * The plugin's database as every store shares it: the knex client, the
 * dialect facts the stores need, and the one transaction helper.
 *
 * @internal
 */
export class InventoryDatabase {
  /** Whether the client talks to PostgreSQL (else SQLite). */
  readonly isPostgres: boolean;
  /** Rows per multi-row insert. */
  readonly insertChunk: number;

  private constructor(readonly knex: Knex) {
    this.isPostgres = isPostgresClient(knex);
    this.insertChunk = this.isPostgres ? CHUNK : SQLITE_INSERT_CHUNK;
  }

  /** Connects and runs the migrations unless `database.migrations.skip` is set. */
  static async create(options: { database: DatabaseService }): Promise<InventoryDatabase> {
    const client = await options.database.getClient();
    return InventoryDatabase.fromKnex(client, { skipMigrations: options.database.migrations?.skip });
  }

  /** For tests and benchmarks that hold a knex instance already. */
  static async fromKnex(client: Knex, options?: { skipMigrations?: boolean }): Promise<InventoryDatabase> {
    if (!options?.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new InventoryDatabase(client);
  }

  /** Runs `fn` in one transaction, or inside `tx` when the caller already holds one. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>, tx?: StoreTransaction): Promise<T> {
    return tx ? fn(tx) : this.knex.transaction(fn);
  }

  /**
   * Serialises identity writers for the rest of the transaction (PostgreSQL;
   * SQLite has one writer), so rows read afterwards are current: change_seq
   * allocation and the summary counters depend on it. Re-entrant.
   */
  async lockIdentityWrites(tx: StoreTransaction): Promise<void> {
    if (this.isPostgres) {
      await tx.raw('SELECT pg_advisory_xact_lock(?)', [IDENTITY_WRITE_LOCK]);
    }
  }
}
