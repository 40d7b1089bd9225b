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

/** The names a search finds, by id and in urgency order (on PostgreSQL the latter reads identity_search): the same. */
async function search(stores: Awaited<ReturnType<typeof seed>>, q: string) {
  const [byId, byUrgency] = await Promise.all(
    (['id', 'urgency'] as const).map(async sort => {
      const page = await stores.identities.list({ q }, { limit: 100, now: NOW, sort });
      expect(page.total).toBe(page.items.length);
      return page.items.map(i => i.displayName).sort();
    }),
  );
  expect(byUrgency).toEqual(byId);
  return byId;
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

  it.each(databases.eachSupportedId().filter(([id]) => id.startsWith('POSTGRES')))(
    'keeps identity_search equal to what a search reads of identities through inserts, rank and expiry changes and deletes, and searches it alone (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await seed(knex);
      const columns = ['id', 'search_text', 'fingerprint_sha256', 'not_after', 'open_severity_rank'];
      const same = async () => {
        const [wide, narrow] = await Promise.all([knex('identities').select(columns).orderBy('id'), knex('identity_search').select(columns).orderBy('id')]);
        expect(narrow).toEqual(wide);
        return narrow.length;
      };
      expect(await same()).toBe(42);
      const id = (await knex('identities').where('display_name', 'Payments-API gateway').first()).id;
      // an open error (the violations' trigger moves the rank), then resolved
      await knex('violations').insert({ identity_id: id, rule_id: 'tls.expiry', severity: 'error', message: 'm', remediation: 'r', first_detected: NOW });
      expect((await knex('identity_search').where({ id }).first()).open_severity_rank).toBe(0);
      await same();
      await knex('violations').where({ identity_id: id }).update({ resolved_at: NOW });
      expect((await knex('identity_search').where({ id }).first()).open_severity_rank).toBe(2);
      // a re-scan that renames and re-dates it (the store's upsert), then a last_seen update of every row (a re-scan's end)
      const renamed = discovery(100, { displayName: 'Ledger gateway', attributes: { subject: 'CN=ledger.example.test', notAfter: '2027-01-01T00:00:00.000Z' } });
      await writeDiscoveries(stores, { scanId: 'rename', sourceId: 'alpha', now: NOW, resolveOwnership, discoveries: [renamed] });
      expect(await knex('identity_search').where({ id }).first()).toMatchObject({ search_text: 'ledger gateway\ncn=ledger.example.test', not_after: '2027-01-01T00:00:00.000Z' });
      await knex('identities').update({ last_seen: '2026-12-03T00:00:00.000Z' });
      expect(await same()).toBe(42);
      for (const table of ['observations', 'violations']) await knex(table).where({ identity_id: id }).delete();
      await knex('identities').where({ id }).delete();
      expect(await same()).toBe(41);
      // a search alone reads the narrow table; with another filter (or access conditions), identities
      const statements: string[] = [];
      const keep = (q: { sql: string }) => statements.push(q.sql);
      knex.on('query', keep);
      try {
        expect((await stores.identities.list({ q: 'ity-4' }, { limit: 10, now: NOW, sort: 'urgency' })).total).toBe(2);
        expect((await stores.identities.list({ q: 'ity-4', type: 'tls-certificate' }, { limit: 10, now: NOW, sort: 'urgency' })).total).toBe(2);
      } finally {
        knex.off('query', keep);
      }
      const searches = statements.filter(sql => /^with "matches"/.test(sql));
      expect(searches).toHaveLength(2);
      expect(searches[0]).toMatch(/from "identity_search"/);
      expect(searches[1]).not.toMatch(/identity_search/);
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
