import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { discovery, fingerprintOf } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';
import { applyIdentityFilter } from './identityQueries';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = '2026-12-02T10:00:00.000Z';
const resolveOwnership = () => ({ rule: 'fallback' as const, via: 'test' });

/** Display names and subjects the search must find by any part, in any case. */
async function seed(knex: Knex) {
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  await writeDiscoveries(stores, {
    scanId: 'seed',
    sourceId: 'alpha',
    now: NOW,
    resolveOwnership,
    discoveries: [
      ...Array.from({ length: 40 }, (_, i) => discovery(i + 1)),
      discovery(100, { displayName: 'Payments-API gateway', attributes: { subject: 'CN=pay.example.test, O=Acme' } }),
      discovery(101, { displayName: 'deploy key', attributes: { subject: 'OU=Billing_100%' } }),
    ],
  });
  return stores;
}

async function search(stores: Awaited<ReturnType<typeof seed>>, q: string) {
  const page = await stores.identities.list({ q }, { limit: 100, now: NOW, sort: 'id' });
  return page.items.map(i => i.displayName).sort();
}

/** The plan PostgreSQL picks for the `q` search of GET /identities, sequential scans off. */
async function searchPlan(knex: Knex, q: string): Promise<string> {
  const query = knex('identities').select('id');
  applyIdentityFilter(query, { q }, NOW);
  const { sql, bindings } = query.toSQL();
  return knex.transaction(async tx => {
    await tx.raw('SET LOCAL enable_seqscan = off');
    const rows = (await tx.raw(`EXPLAIN ${sql}`, bindings as any[])).rows as Array<{ 'QUERY PLAN': string }>;
    return rows.map(r => r['QUERY PLAN']).join('\n');
  });
}

describe('identity search (q)', () => {
  it.each(databases.eachSupportedId())(
    'finds a part of the display name or subject in any case, a fingerprint prefix, and LIKE characters literally (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await seed(knex);
      expect(await search(stores, 'MENTS-api')).toEqual(['Payments-API gateway']);
      expect(await search(stores, 'o=acme')).toEqual(['Payments-API gateway']);
      expect(await search(stores, 'ity-4')).toEqual(['identity-4.example.test', 'identity-40.example.test']);
      expect(await search(stores, fingerprintOf(7).slice(0, 12))).toEqual(['identity-7.example.test']);
      // A fingerprint matches by prefix only, and % and _ are text, not wildcards.
      expect(await search(stores, fingerprintOf(7).slice(1, 13))).toEqual([]);
      expect(await search(stores, 'g_100%')).toEqual(['deploy key']);
      expect(await search(stores, '100_')).toEqual([]);
      // Display name and subject are one column joined by a newline: no match across the join, even with one in q.
      expect(await search(stores, 'gatewaycn=')).toEqual([]);
      expect(await search(stores, 'gateway\ncn=pay')).toEqual([]);
      expect(await search(stores, 'GATEWAY')).toEqual(['Payments-API gateway']);
    },
  );

  it.each(databases.eachSupportedId())('finds an identity by its new name once a scan renames it, not by the old (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    const stores = await seed(knex);
    await writeDiscoveries(stores, {
      scanId: 'rename',
      sourceId: 'alpha',
      now: NOW,
      resolveOwnership,
      discoveries: [discovery(100, { displayName: 'Ledger gateway', attributes: { subject: 'CN=ledger.example.test' } })],
    });
    expect(await search(stores, 'ledger')).toEqual(['Ledger gateway']);
    expect(await search(stores, 'payments')).toEqual([]);
    expect(await search(stores, 'pay.example')).toEqual([]);
  });

  it.each(databases.eachSupportedId().filter(([id]) => id.startsWith('POSTGRES')))(
    'is answered from the trigram and fingerprint indexes on PostgreSQL, not by reading every row (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const plan = await searchPlan(knex, 'ments-api');
      expect(plan).toContain('identities_search_text_trgm_idx');
      expect(plan).toContain('identities_fingerprint_pattern_idx');
      expect(plan).not.toMatch(/Seq Scan/);
    },
  );

  it.each(databases.eachSupportedId().filter(([id]) => id.startsWith('SQLITE')))(
    'counts the matches of a search from the narrow search index on SQLite, not the wide rows (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await seed(knex);
      const query = knex('identities').count({ n: '*' });
      applyIdentityFilter(query, { q: 'ments-api' }, NOW);
      const { sql, bindings } = query.toSQL();
      const plan = (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as any[])) as Array<{ detail: string }>;
      expect(plan.map(r => r.detail)).toEqual(['SCAN identities USING COVERING INDEX identities_search_text_idx']);
    },
  );

  it.each(databases.eachSupportedId().filter(([id]) => id.startsWith('POSTGRES')))(
    'migrates and searches without the trigram index where the user may not create pg_trgm (%p)',
    async databaseId => {
      const admin = await databases.init(databaseId);
      const suffix = `${process.pid}_${Date.now()}`;
      const role = `keyring_noext_${suffix}`;
      const name = `keyring_noext_${suffix}`;
      await admin.raw(`CREATE ROLE ${role} LOGIN`);
      await admin.raw(`CREATE DATABASE ${name}`);
      const connection = admin.client.config.connection;
      const base = typeof connection === 'string' ? { connectionString: connection } : connection;
      const owner = knexFactory({ client: 'pg', connection: { ...base, database: name } });
      let restricted: Knex | undefined;
      try {
        // The user may create tables in its schema, but nothing in the database (so no extension).
        await owner.raw(`REVOKE CREATE ON DATABASE ${name} FROM PUBLIC`);
        await owner.raw(`CREATE SCHEMA keyring AUTHORIZATION ${role}`);
        restricted = knexFactory({
          client: 'pg',
          connection: { ...base, database: name, user: role },
          searchPath: ['keyring'],
        });
        const stores = await seed(restricted);
        const indexes = (await restricted.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'identities'")).rows.map(
          (r: { indexname: string }) => r.indexname,
        );
        expect(indexes).toContain('identities_fingerprint_pattern_idx');
        expect(indexes).not.toContain('identities_search_text_trgm_idx');
        expect(await search(stores, 'MENTS-api')).toEqual(['Payments-API gateway']);
      } finally {
        await restricted?.destroy();
        await owner.destroy();
        await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
        await admin.raw(`DROP ROLE IF EXISTS ${role}`);
      }
    },
  );
});
