/**
 * Runs a bench body on a fresh SQLite file and a fresh PostgreSQL database
 * (`KEYRING_BENCH_PG`, default the local server), dropping both afterwards.
 * `KEYRING_BENCH_ONLY=sqlite|postgres` runs one side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';

const PG = process.env.KEYRING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

export async function onEachDatabase(body: (name: 'SQLite' | 'PostgreSQL', knex: Knex) => Promise<void>): Promise<void> {
  const only = process.env.KEYRING_BENCH_ONLY;
  if (only !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-bench-'));
    const sqlite = knexFactory({ client: 'better-sqlite3', connection: { filename: join(dir, 'bench.sqlite') }, useNullAsDefault: true });
    try {
      await body('SQLite', sqlite);
    } finally {
      await sqlite.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (only === 'sqlite') return;
  const name = `keyring_bench_${process.pid}_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: PG });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } catch (error) {
    console.log(`PostgreSQL: skipped (${error})`);
    await admin.destroy();
    return;
  }
  const pg = knexFactory({ client: 'pg', connection: `${PG}/${name}` });
  try {
    await body('PostgreSQL', pg);
  } finally {
    await pg.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
    await admin.destroy();
  }
}
