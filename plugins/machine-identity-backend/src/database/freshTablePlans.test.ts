import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { discovery } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const COUNT = 3_000;

/** The plan PostgreSQL chooses for a statement knex sent, with its bindings. */
async function planOf(knex: Knex, statement: { sql: string; bindings: unknown[] }): Promise<string> {
  const rows = (await knex.raw(`EXPLAIN ${statement.sql.replace(/\$\d+/g, '?')}`, statement.bindings as any[])).rows as Array<{
    'QUERY PLAN': string;
  }>;
  return rows.map(r => r['QUERY PLAN']).join('\n');
}

/**
 * A first scan of a large source fills `observations` faster than autovacuum
 * analyzes it. Without statistics, a statement that also says `gone_at IS NULL`
 * matched the partial (source, location) index, and PostgreSQL read the whole
 * source through it for each sighting (30 s a batch at 50,000 observations).
 */
describe('observation lookups of a scan batch on a table PostgreSQL has not analyzed yet', () => {
  it('probe the (identity, source, location) unique index, never the whole source (POSTGRES_15)', async () => {
    if (!databases.eachSupportedId().some(([id]) => id === 'POSTGRES_15')) return;
    const knex = await databases.init('POSTGRES_15');
    const stores = await DatabaseInventoryStores.fromKnex(knex);
    const resolveOwnership = OwnershipResolver.create({ fallbackOwner: 'group:default/security' }).resolve;
    const items = Array.from({ length: COUNT }, (_, i) => discovery(i + 1));
    const write = (scanId: string) =>
      writeDiscoveries(stores, { scanId, sourceId: 'src', discoveries: items, now: new Date().toISOString(), resolveOwnership });
    await write('scan-1');
    const analyzed = await knex('pg_stat_user_tables').where({ relname: 'observations' }).first();
    expect([analyzed.last_analyze, analyzed.last_autoanalyze]).toEqual([null, null]);

    const statements: Array<{ sql: string; bindings: unknown[] }> = [];
    const keep = (q: { sql: string; bindings: unknown[] }) => /from "?observations"?/i.test(q.sql) && statements.push(q);
    knex.on('query', keep);
    try {
      // The re-scan batch's lookup (logUnchanged) and the details read a changed batch makes.
      await write('scan-2');
      const ids = (await knex('identities').select('id').limit(500)).map(r => r.id as string);
      await stores.transaction(tx => stores.identities.listLiveDetails(ids, 'src', tx));
    } finally {
      knex.off('query', keep);
    }
    const sourceIndexes = /observations_source_live_location_idx|observations_source_idx/;
    // logUnchanged: a unique-key probe per sighting.
    const probes = statements.filter(s => /json_to_recordset/.test(s.sql));
    expect(probes).toHaveLength(1);
    const probe = await planOf(knex, probes[0]);
    expect(probe).toMatch(/Index (Only )?Scan using observations_identity_source_location_uniq on observations/);
    expect(probe).not.toMatch(sourceIndexes);
    // listLiveDetails: by identity (a table this small is read whole; a large one by the key), never by source.
    const details = statements.filter(s => /"details"/.test(s.sql) && !/json_to_recordset/.test(s.sql));
    expect(details).toHaveLength(1);
    expect(await planOf(knex, details[0])).not.toMatch(sourceIndexes);
  });
});
