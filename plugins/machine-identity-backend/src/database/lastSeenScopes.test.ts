import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { discovery } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';
import { InventoryDatabase } from './InventoryDatabase';
import { liveLocationsFrom } from './lastSeenScopes';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = '2026-12-03T07:00:00.000Z';
const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
resolver.setIndex(ComponentIndex.empty());

/** Stores on `knex` with identity n seen by `sourceId` at each location of `locations[n]`. */
async function seed(knex: Knex, sourceId: string, locations: string[]) {
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const discoveries = locations.map((location, n) => discovery(n + 1, { location }));
  for (let i = 0; i < discoveries.length; i += 1000) {
    await writeDiscoveries(stores, { scanId: 'run-1', sourceId, discoveries: discoveries.slice(i, i + 1000), now: NOW, resolveOwnership: resolver.resolve });
  }
  return stores;
}

async function collect(scopes: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const scope of scopes) out.push(scope);
  return out;
}

describe('IdentityStore.listLastSeenScopes', () => {
  it.each(databases.eachSupportedId())(
    'lists each place one level below a prefix once, in byte order, only of the source and only where it holds live observations (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const locations = [
        'prod/payments/Secret/api-tls/tls.crt',
        'prod/payments/Secret/api-tls/ca.crt',
        'prod/payments/ServiceAccount/payments-api',
        // `-` and `.` sort below `/`, `0` above it: the skip past `prod/payments/` must not lose these.
        'prod/payments-eu/Secret/a/tls.crt',
        'prod/payments.old/Secret/b/tls.crt',
        'prod/payments0/Secret/c/tls.crt',
        'prod/-/APIService/v1.metrics/caBundle',
        'prod/Zeta/Secret/z/tls.crt',
        'prod/ünïcode/Secret/u/tls.crt',
        'prod/bare',
        'prod-2/payments/Secret/x/tls.crt',
        'staging/payments/Secret/y/tls.crt',
      ];
      const stores = await seed(knex, 'cluster', locations);
      await writeDiscoveries(stores, { scanId: 'other', sourceId: 'other-cluster', discoveries: [discovery(500, { location: 'prod/other/Secret/o/tls.crt' })], now: NOW, resolveOwnership: resolver.resolve });

      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'prod/'))).toEqual([
        'prod/-/',
        'prod/Zeta/',
        'prod/bare',
        'prod/payments-eu/',
        'prod/payments.old/',
        'prod/payments/',
        'prod/payments0/',
        'prod/ünïcode/',
      ]);
      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'prod/payments/'))).toEqual(['prod/payments/Secret/', 'prod/payments/ServiceAccount/']);
      expect(await collect(stores.identities.listLastSeenScopes('cluster', ''))).toEqual(['prod-2/', 'prod/', 'staging/']);
      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'nowhere/'))).toEqual([]);

      // Once what was seen in a place is retired, the place is no longer listed.
      const payments = await knex('observations').where('source_id', 'cluster').where('location', 'like', 'prod/payments/%');
      await stores.transaction(tx =>
        stores.identities.markObservationsGone(payments.map(row => ({ identityId: row.identity_id, sourceId: 'cluster', location: row.location, firstSeen: NOW, lastSeen: NOW, lastScanId: 'run-1' })), NOW, tx),
      );
      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'prod/'))).not.toContain('prod/payments/');
      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'prod/'))).toContain('prod/payments-eu/');
    },
  );

  it.each(databases.eachSupportedId())(
    'reads places holding many identities and many places holding few across range reads (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // 3 namespaces of 150 identities, then 200 of one each: both a place longer than a read and reads of many places.
      const locations = [
        ...['a', 'b', 'c'].flatMap(ns => Array.from({ length: 150 }, (_, i) => `c1/${ns}/Secret/s${i}/tls.crt`)),
        ...Array.from({ length: 200 }, (_, i) => `c1/n${String(i).padStart(3, '0')}/ServiceAccount/sa`),
      ];
      const stores = await seed(knex, 'cluster', locations);
      const namespaces = ['a', 'b', 'c', ...Array.from({ length: 200 }, (_, i) => `n${String(i).padStart(3, '0')}`)];
      expect(await collect(stores.identities.listLastSeenScopes('cluster', 'c1/'))).toEqual(namespaces.map(ns => `c1/${ns}/`));
    },
  );

  it.each(databases.eachSupportedId())('reads by the live-location index, never the whole source (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    await seed(knex, 'cluster', ['c1/a/Secret/s/tls.crt']);
    const database = await InventoryDatabase.fromKnex(knex, { skipMigrations: true });
    const { sql, bindings } = liveLocationsFrom(database, { sourceId: 'cluster', bound: 'c1/a0', inclusive: true }).toSQL();
    if (database.isPostgres) {
      const plan = await knex.transaction(async tx => {
        await tx.raw('SET LOCAL enable_seqscan = off');
        const rows = (await tx.raw(`EXPLAIN ${sql}`, bindings as any[])).rows as Array<{ 'QUERY PLAN': string }>;
        return rows.map(r => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain('observations_source_live_location_idx');
      expect(plan).not.toMatch(/Sort|Seq Scan/);
    } else {
      const plan = (await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as any[])) as Array<{ detail: string }>;
      expect(plan.map(r => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX observations_source_live_location_idx \(source_id=\? AND location>\?\)/);
      expect(plan.map(r => r.detail).join('\n')).not.toContain('TEMP B-TREE');
    }
  });
});
