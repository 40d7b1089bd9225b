/*
 * Catalog ingestion at scale: MachineIdentity entities pushed by Keyring's
 * entity provider into the real catalog backend (@backstage/plugin-catalog-backend
 * 4.0.0) on SQLite and PostgreSQL, fed through the change feed over HTTP with
 * service-to-service auth. Prints entities visible per second (with their
 * Group and Component relations), time until the catalog is steady, where the
 * catalog spends the time (processing vs stitching), and the mutations an
 * unchanged re-scan applies (must be 0).
 *
 * The peer is the figure measured here before Keyring's provider existed: a
 * throw-away provider with chunked delta mutations made 10,000 custom entities
 * visible in 99 s and 30,000 in 144 s (~200/s) on PostgreSQL, 2 cores.
 *
 *   KEYRING_BENCH_CATALOG_SIZES=10000,100000   sizes (default 10000)
 *   KEYRING_BENCH_CATALOG_DBS=postgres,sqlite  databases (default both)
 *   KEYRING_BENCH_CATALOG_BATCH=1000           entities per mutation
 *   KEYRING_BENCH_CATALOG_TIMEOUT_S=1800       give up waiting for steady after this
 */
import { mockServices, startTestBackend, mockCredentials } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { ChangeFeedEmulator, makeIdentity } from '../plugins/catalog-backend-module-machine-identity/src/testing/changeFeedEmulator';
import { orgFixtureModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/orgFixtureModule';
import { providerHandleModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/providerHandleModule';
import type { MachineIdentityEntityProvider } from '../plugins/catalog-backend-module-machine-identity/src/provider/MachineIdentityEntityProvider';

const PG = process.env.KEYRING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const GROUPS = 50;
const COMPONENTS = 1000;
const PEER_RATE = 10_000 / 99; // entities/s, throw-away provider, PostgreSQL

const sizes = (process.env.KEYRING_BENCH_CATALOG_SIZES ?? '10000').split(',').map(Number);
const dbs = (process.env.KEYRING_BENCH_CATALOG_DBS ?? 'postgres,sqlite').split(',');
const batchSize = Number(process.env.KEYRING_BENCH_CATALOG_BATCH ?? 1000);
/** PostgreSQL only: extra catalog backends (replicas) sharing the database, as in a horizontally scaled deployment. */
const replicas = Number(process.env.KEYRING_BENCH_CATALOG_REPLICAS ?? 1);
/** Set to 0 to ingest identities without owner/component (measures the cost of relation fan-in). */
const withRelations = process.env.KEYRING_BENCH_CATALOG_RELATIONS !== '0';
const timeoutMs = Number(process.env.KEYRING_BENCH_CATALOG_TIMEOUT_S ?? 1800) * 1000;

interface Counts { refreshState: number; processed: number; visible: number; relations: number; stitchQueue: number }

async function counts(knex: Knex): Promise<Counts> {
  const one = async (q: Knex.QueryBuilder) => Number(Object.values((await q)[0] as object)[0]);
  const like = 'machineidentity:%';
  return {
    refreshState: await one(knex('refresh_state').count('*').where('entity_ref', 'like', like)),
    processed: await one(knex('refresh_state').count('*').where('entity_ref', 'like', like).whereNotNull('result_hash')),
    visible: await one(knex('final_entities').count('*').where('entity_ref', 'like', like).whereNotNull('final_entity')),
    relations: await one(knex('relations').count('*').where('source_entity_ref', 'like', like)),
    stitchQueue: await one(knex('stitch_queue').count('*')),
  };
}

async function createDatabase(db: string): Promise<{ knex: Knex; drop: () => Promise<void> }> {
  if (db === 'sqlite') {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    return { knex, drop: () => knex.destroy() };
  }
  const name = `keyring_bench_catalog_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: PG });
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({ client: 'pg', connection: `${PG}/${name}`, pool: { min: 0, max: 20 } });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
      await admin.destroy();
    },
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const benchConfig = {
  backend: { baseUrl: 'http://localhost:7007' },
  // Large inventories: re-process rarely so the loop works on changes.
  catalog: { processingInterval: { hours: 1 }, stitchingStrategy: { pollingInterval: { milliseconds: 200 } } },
};

async function benchOne(db: string, size: number): Promise<void> {
  const { knex, drop } = await createDatabase(db);
  const emulator = new ChangeFeedEmulator();
  let provider: MachineIdentityEntityProvider | undefined;
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: benchConfig }),
      emulator.plugin(),
      orgFixtureModule(GROUPS, COMPONENTS),
      providerHandleModule(p => (provider = p), { batchSize }),
    ],
  });
  // Replicas run the same modules (the catalog evicts entities of providers a replica lacks);
  // only the first one's provider is driven.
  const others = [];
  for (let r = 1; db === 'postgres' && r < replicas; r += 1) {
    others.push(await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({ data: benchConfig }),
        orgFixtureModule(GROUPS, COMPONENTS),
        providerHandleModule(() => undefined, { batchSize }),
      ],
    }));
  }
  try {
    // Let the org fixture settle so the figures are about identities only.
    for (;;) {
      const row = await knex('final_entities').count({ n: '*' }).whereNotNull('final_entity');
      if (Number(row[0].n) >= GROUPS + COMPONENTS) break;
      await new Promise(r => setTimeout(r, 500));
    }
    for (let n = 0; n < size; n += 1) {
      emulator.upsert(
        makeIdentity(n, withRelations
          ? { owner: `group:default/team-${n % GROUPS}`, component: `component:default/service-${n % COMPONENTS}` }
          : { owner: undefined, component: undefined }),
      );
    }
    const expectedRelations = withRelations ? 2 * size : 0;

    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    let cpuMark = process.cpuUsage();
    let processedAt = 0;
    const run = await provider!.poll();
    const tApplied = Date.now() - t0;
    let tVisible = 0;
    let last: Counts | undefined;
    let lastLog = 0;
    const timeline: string[] = [];
    for (;;) {
      const c = await counts(knex);
      const elapsed = Date.now() - t0;
      if (!tVisible && c.visible >= size) tVisible = elapsed;
      if (!processedAt && c.processed >= size) processedAt = elapsed;
      if (elapsed - lastLog >= 15_000) {
        const used = process.cpuUsage(cpuMark);
        const share = (used.user + used.system) / 1000 / (elapsed - lastLog);
        cpuMark = process.cpuUsage();
        lastLog = elapsed;
        timeline.push(`    t=${s(elapsed)}: in catalog ${fmt(c.refreshState)}, processed ${fmt(c.processed)}, visible ${fmt(c.visible)}, relations ${fmt(c.relations)}, stitch queue ${fmt(c.stitchQueue)}, backend CPU ${(100 * share).toFixed(0)} % of a core`);
      }
      last = c;
      if (c.visible >= size && c.processed >= size && c.relations >= expectedRelations && c.stitchQueue === 0) break;
      if (elapsed > timeoutMs) break;
      await new Promise(r => setTimeout(r, 1000));
    }
    const tSteady = Date.now() - t0;
    const cpuTotal = process.cpuUsage(cpu0);
    const cpuSeconds = (cpuTotal.user + cpuTotal.system) / 1e6;
    const [load1] = (await import('node:os')).loadavg();
    const api = await request(backend.server)
      .get('/api/catalog/entities/by-query')
      .query({ filter: 'kind=MachineIdentity', limit: 1 })
      .set('authorization', mockCredentials.user.header());

    // Unchanged re-scan: the feed has nothing new, so nothing is mutated.
    const rescan = await provider!.poll();
    const t1 = Date.now();
    const reconcile = await provider!.reconcile();
    const tReconcile = Date.now() - t1;
    // A 1 % change: cost proportional to the change.
    const changed = Math.max(1, Math.floor(size / 100));
    for (let n = 0; n < changed; n += 1) {
      const { changeSeq: _seq, stateChangedAt: _at, ...current } = emulator.get(makeIdentity(n).id)!;
      emulator.upsert({ ...current, state: 'revoked' });
    }
    const t2 = Date.now();
    const delta = await provider!.poll();
    for (;;) {
      const row = await knex('final_entities').count({ n: '*' }).where('entity_ref', 'like', 'machineidentity:%').where('final_entity', 'like', '%"state":"revoked"%');
      if (Number(row[0].n) >= changed || Date.now() - t2 > timeoutMs) break;
      await new Promise(r => setTimeout(r, 500));
    }
    const tDelta = Date.now() - t2;

    const rate = size / (tVisible || tSteady) * 1000;
    console.log(`${db}${others.length ? ` with ${others.length + 1} catalog replicas` : ''}, ${fmt(size)} identities (batch ${batchSize}, ${withRelations ? `related to ${GROUPS} groups and ${COMPONENTS} components` : 'no relations'}):`);
    console.log(`  provider applied ${fmt(run.added)} entities in ${run.mutations} delta mutations in ${s(tApplied)}`);
    console.log(`  all visible with relations after ${s(tVisible)}: ${fmt(rate)} entities/s (peer throw-away provider ~${fmt(PEER_RATE)}/s on PostgreSQL: x${(rate / PEER_RATE).toFixed(2)})`);
    console.log(`  catalog processing done after ${s(processedAt)} (${fmt(size / processedAt * 1000)}/s); stitching done after ${s(tVisible)}`);
    console.log(`  bench process CPU (all replicas) ${cpuSeconds.toFixed(0)} s over ${s(tSteady)} (${(cpuSeconds / size * 1000).toFixed(1)} ms per entity); machine load average at the end ${load1.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
    console.log(`  steady (all processed, ${fmt(last!.relations)} relations, stitch queue empty) after ${s(tSteady)}; catalog API totalItems ${api.body.totalItems}`);
    console.log(`  projected 300,000 at this rate: ${(300_000 / rate / 60).toFixed(1)} min (target 15 min)`);
    console.log(`  unchanged re-scan: ${rescan.feedItems} feed items, ${rescan.mutations} mutations; full reconcile: ${reconcile.feedItems} items read, ${reconcile.mutations} mutations in ${s(tReconcile)}`);
    console.log(`  1 % change (${fmt(changed)} revoked): ${delta.mutations} mutations, ${fmt(delta.added)} entities, visible after ${s(tDelta)}`);
    console.log(`  timeline:\n${timeline.join('\n')}`);
  } finally {
    for (const other of others) await other.stop();
    await backend.stop();
    await drop();
  }
}

export async function run(): Promise<void> {
  for (const size of sizes) {
    for (const db of dbs) {
      await benchOne(db, size);
    }
  }
}
