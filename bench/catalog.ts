/*
 * Catalog ingestion at scale: identities scanned by the real machine-identity
 * backend plugin (through an in-bench scanner module registered on
 * machineIdentityScannersExtensionPoint), read from its change feed over HTTP
 * with service-to-service auth by Keyring's entity provider, and made visible
 * by the real catalog backend (@backstage/plugin-catalog-backend 4.0.0) on
 * PostgreSQL and SQLite. Each size and database runs the configurations of
 * _catalogVariants.ts side by side: `before` (Keyring's catalog path before
 * issue #16) is the peer of `after` (1 catalog process) and `after-2` (2
 * catalog processes — separate OS processes — on one PostgreSQL database).
 *
 * Prints identities visible per second with their Group and Component
 * relations, and the catalog's CPU per identity from the end of the scan until
 * the catalog is steady: this process (catalog, machine-identity backend,
 * provider), the other catalog processes, and PostgreSQL's backend processes
 * for the two databases (read from /proc). Then an unchanged re-scan (must
 * mutate nothing), a full reconcile and 1 % of the estate retired.
 *
 *   KEYRING_BENCH_IDENTITIES=10000,100000          sizes (default 10000)
 *   KEYRING_BENCH_CATALOG_DBS=postgres,sqlite       databases (default both)
 *   KEYRING_BENCH_CATALOG_VARIANTS=after,before,after-2   run in this order (default after,before,after-2;
 *                                                   also unordered-2, oneway-2, oneway-3; *-2, *-3 on PostgreSQL only)
 *   KEYRING_BENCH_CATALOG_PEER=before               variant the others are compared with
 *   KEYRING_BENCH_CATALOG_BATCH=1000                entities per mutation
 *   KEYRING_BENCH_CATALOG_RELATIONS=1               0: identities without owner/component
 *   KEYRING_BENCH_CATALOG_TIMEOUT_S=3600            give up waiting for steady after this
 *   KEYRING_BENCH_CATALOG_GROUPS=50                 owning Groups (identity n → team-(n % groups))
 *   KEYRING_BENCH_CATALOG_COMPONENTS=1000           Components (identity n → service-(n % components))
 *   KEYRING_BENCH_PG_VACUUM_S=0                     PostgreSQL: VACUUM (ANALYZE) both databases this often while
 *                                                   the catalog works (0: never, the default). This machine's
 *                                                   server runs with autovacuum = off
 *                                                   (/etc/postgresql/15/main/conf.d/90-ci.conf), so the catalog's
 *                                                   often-updated tables keep every dead row and are planned from
 *                                                   the statistics of empty tables. Measured: no gain at 20,000;
 *                                                   at 100,000 (oneway-2) with an unthrottled VACUUM every 60 s
 *                                                   (autovacuum's is cost-throttled) 552 s, against 430 s without
 *                                                   it in an earlier session (not the same run).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  type MachineIdentityDiscovery,
  createScannerModule,
} from '@keyring/plugin-machine-identity-node';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { orgFixtureModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/orgFixtureModule';
import { providerHandleModule } from '../plugins/catalog-backend-module-machine-identity/src/testing/providerHandleModule';
import type { MachineIdentityEntityProvider } from '../plugins/catalog-backend-module-machine-identity/src/provider/MachineIdentityEntityProvider';
import { type CatalogVariant, catalogVariant } from './_catalogVariants';
import { PostgresCpu } from './_processCpu';

const PG = process.env.KEYRING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
// Owners: a real estate of 300,000 has hundreds of teams; every identity gives its
// Group an `ownerOf` relation, so the Group's stitch grows with its share.
const GROUPS = Number(process.env.KEYRING_BENCH_CATALOG_GROUPS ?? 50);
const COMPONENTS = Number(process.env.KEYRING_BENCH_CATALOG_COMPONENTS ?? 1000);

const sizes = (process.env.KEYRING_BENCH_IDENTITIES ?? '10000').split(',').map(Number);
const dbs = (process.env.KEYRING_BENCH_CATALOG_DBS ?? 'postgres,sqlite').split(',');
// `after` runs first, so the JIT warm-up penalizes it, not the peer.
const variantNames = (process.env.KEYRING_BENCH_CATALOG_VARIANTS ?? 'after,before,after-2').split(',');
const batchSize = Number(process.env.KEYRING_BENCH_CATALOG_BATCH ?? 1000);
const withRelations = process.env.KEYRING_BENCH_CATALOG_RELATIONS !== '0';
const peerName = process.env.KEYRING_BENCH_CATALOG_PEER ?? 'before';
const timeoutMs = Number(process.env.KEYRING_BENCH_CATALOG_TIMEOUT_S ?? 3600) * 1000;
const analyzeEveryMs = Number(process.env.KEYRING_BENCH_PG_VACUUM_S ?? 0) * 1000;

/** What the in-bench scanner finds on its next run, and the hosts it looks at completely. */
let estate: MachineIdentityDiscovery[] = [];
let estateHosts: string[] = [];

const estateScannerModule = createScannerModule({
  moduleId: 'bench-estate',
  scanner: {
    sourceTypes: ['bench-estate'],
    async *scan(context) {
      yield* estate;
      // Every host was looked at: what it no longer serves is gone (positive evidence).
      for (const host of estateHosts) context.reportCovered(host);
    },
  },
});

const hostOf = (n: number) => `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function discovered(n: number): MachineIdentityDiscovery {
  return {
    type: 'tls-certificate',
    fingerprintSha256: createHash('sha256').update(`bench-key-${n}`).digest('hex'),
    displayName: `svc-${n}.example.test`,
    attributes: {
      subject: `CN=svc-${n}.example.test`,
      keyAlgorithm: 'ECDSA',
      notAfter: new Date(Date.UTC(2027, 0, 1) + (n % 365) * 86_400_000).toISOString(),
    },
    location: `${hostOf(n)}:443`,
    ...(withRelations
      ? { ownerHint: { owner: `group:default/team-${n % GROUPS}`, component: `component:default/service-${n % COMPONENTS}`, via: 'bench' } }
      : {}),
  };
}

interface Counts { processed: number; visible: number; relations: number; stitchQueue: number; searchRows: number }

async function counts(knex: Knex, withSearch = false): Promise<Counts> {
  const one = async (q: Knex.QueryBuilder) => Number(Object.values((await q)[0] as object)[0]);
  const like = 'machineidentity:%';
  return {
    processed: await one(knex('refresh_state').count('*').where('entity_ref', 'like', like).whereNotNull('result_hash')),
    visible: await one(knex('final_entities').count('*').where('entity_ref', 'like', like).whereNotNull('final_entity')),
    relations: await one(knex('relations').count('*').where('source_entity_ref', 'like', like)),
    stitchQueue: await one(knex('stitch_queue').count('*')),
    searchRows: withSearch
      ? await one(knex('search').count('*').whereIn('entity_id', knex('final_entities').select('entity_id').where('entity_ref', 'like', like)))
      : 0,
  };
}

interface BenchDatabase { knex: Knex; name?: string; drop: () => Promise<void> }

async function createDatabase(db: string): Promise<BenchDatabase> {
  if (db === 'sqlite') {
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    return { knex, drop: () => knex.destroy() };
  }
  const name = `keyring_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = knexFactory({ client: 'pg', connection: PG });
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({ client: 'pg', connection: `${PG}/${name}`, pool: { min: 0, max: 20 } });
  return {
    knex,
    name,
    drop: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

/** A second catalog process on the same PostgreSQL database. */
async function startReplica(variant: CatalogVariant, database: string): Promise<{ cpuMs: () => Promise<number>; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(path.join(__dirname, '_catalogReplica.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      KEYRING_REPLICA_DB: `${PG}/${database}`,
      KEYRING_REPLICA_VARIANT: variant.name,
      KEYRING_REPLICA_GROUPS: String(GROUPS),
      KEYRING_REPLICA_COMPONENTS: String(COMPONENTS),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = () => new Promise<any>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', code => reject(new Error(`catalog replica exited with ${code}`)));
  });
  await next();
  return {
    cpuMs: async () => {
      const answer = next();
      child.send('cpu');
      return (await answer).cpuMs;
    },
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.send('stop');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill();
    },
  };
}

/** `count` more catalog processes, their CPU summed. */
async function startReplicas(variant: CatalogVariant, database: string, count: number) {
  const replicas: Array<Awaited<ReturnType<typeof startReplica>>> = [];
  for (let i = 0; i < count; i++) replicas.push(await startReplica(variant, database));
  return {
    cpuMs: async () => (await Promise.all(replicas.map(r => r.cpuMs()))).reduce((a, b) => a + b, 0),
    stop: async () => {
      await Promise.all(replicas.map(r => r.stop()));
    },
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const ownCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** One line per configuration, printed together at the end of a size and database. */
interface Row { variant: CatalogVariant; rate: number; catalogRate: number; cpuPerEntity: number; split: string; minutes300k: number }

async function benchOne(db: string, size: number, variant: CatalogVariant): Promise<Row> {
  const catalogDb = await createDatabase(db);
  const inventoryDb = await createDatabase(db);
  const knex = catalogDb.knex;
  const perPluginDatabase = createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => ({
      getClient: async () => (plugin.getId() === 'catalog' ? catalogDb.knex : inventoryDb.knex),
    }),
  });
  const config = {
    backend: { baseUrl: 'http://localhost:7007' },
    catalog: variant.catalog,
    machineIdentity: {
      fallbackOwner: 'group:default/team-0',
      sources: [{ id: 'estate', type: 'bench-estate', schedule: { frequency: { hours: 24 }, timeout: { hours: 1 }, initialDelay: { hours: 24 } } }],
    },
  };
  let provider: MachineIdentityEntityProvider | undefined;
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      import('@keyring/plugin-machine-identity-backend'),
      estateScannerModule,
      perPluginDatabase,
      mockServices.rootConfig.factory({ data: config }),
      orgFixtureModule(GROUPS, COMPONENTS),
      providerHandleModule(p => (provider = p), { batchSize, toEntity: variant.toEntity, ...variant.provider }, variant.processor()),
    ],
  });
  const replica = variant.processes > 1 ? await startReplicas(variant, catalogDb.name!, variant.processes - 1) : undefined;
  const pgAdmin = db === 'postgres' ? knexFactory({ client: 'pg', connection: PG, pool: { min: 0, max: 1 } }) : undefined;
  const pgCpu = pgAdmin ? new PostgresCpu(pgAdmin, [catalogDb.name!, inventoryDb.name!]) : undefined;
  const http = request(backend.server);
  const auth = mockCredentials.user.header();
  const scan = async () => {
    const res = await http.post('/api/machine-identity/sources/estate/scan').set('authorization', auth);
    if (res.status !== 202) throw new Error(`scan answered ${res.status}: ${res.text}`);
    for (;;) {
      const run = await http.get(`/api/machine-identity/scans/${res.body.scanId}`).set('authorization', auth);
      if (run.body.status !== 'running') return run.body;
      await sleep(250);
    }
  };
  try {
    // Let the org fixture settle so the figures are about identities only.
    for (;;) {
      const row = await knex('final_entities').count({ n: '*' }).whereNotNull('final_entity');
      if (Number(row[0].n) >= GROUPS + COMPONENTS) break;
      await sleep(500);
    }
    estate = Array.from({ length: size }, (_, n) => discovered(n));
    estateHosts = [...new Set(estate.map((_, n) => hostOf(n)))];
    const expectedRelations = withRelations ? 2 * size : size; // without hints: the fallback owner only

    const t0 = Date.now();
    const firstScan = await scan();
    const tScan = Date.now() - t0;
    // The catalog's part starts here: CPU of both processes and of PostgreSQL from now to steady.
    await pgCpu?.sample();
    const cpuStart = { own: ownCpuMs(), replica: (await replica?.cpuMs()) ?? 0, pg: pgCpu?.ms() ?? 0 };
    const run = await provider!.poll();
    const tApplied = Date.now() - t0;
    let tVisible = 0;
    let processedAt = 0;
    let last: Counts | undefined;
    let lastLog = 0;
    let lastAnalyze = Date.now() - t0;
    let analyzed = 0;
    const timeline: string[] = [];
    for (;;) {
      const c = await counts(knex);
      await pgCpu?.sample();
      const elapsed = Date.now() - t0;
      if (db === 'postgres' && analyzeEveryMs > 0 && elapsed - lastAnalyze >= analyzeEveryMs) {
        lastAnalyze = elapsed;
        analyzed++;
        await Promise.all([knex.raw('VACUUM (ANALYZE)'), inventoryDb.knex.raw('VACUUM (ANALYZE)')]);
      }
      if (!tVisible && c.visible >= size) tVisible = elapsed;
      if (!processedAt && c.processed >= size) processedAt = elapsed;
      if (elapsed - lastLog >= 30_000) {
        lastLog = elapsed;
        timeline.push(`    t=${s(elapsed)}: processed ${fmt(c.processed)}, visible ${fmt(c.visible)}, relations ${fmt(c.relations)}, stitch queue ${fmt(c.stitchQueue)}, load ${os.loadavg()[0].toFixed(1)}`);
      }
      last = c;
      if (c.visible >= size && c.processed >= size && c.relations >= expectedRelations && c.stitchQueue === 0) break;
      if (elapsed > timeoutMs) break;
      await sleep(1000);
    }
    const tSteady = Date.now() - t0;
    const cpu = {
      own: ownCpuMs() - cpuStart.own,
      replica: ((await replica?.cpuMs()) ?? 0) - cpuStart.replica,
      pg: (pgCpu?.ms() ?? 0) - cpuStart.pg,
    };
    const cpuPerEntity = (cpu.own + cpu.replica + cpu.pg) / size;
    const steady = await counts(knex, true);
    const api = await http.get('/api/catalog/entities/by-query').query({ filter: 'kind=MachineIdentity', limit: 1 }).set('authorization', auth);

    // Unchanged re-scan: the inventory records no catalog-relevant change, the feed is empty, nothing is mutated.
    const rescanRun = await scan();
    const rescan = await provider!.poll();
    const t1 = Date.now();
    const reconcile = await provider!.reconcile();
    const tReconcile = Date.now() - t1;
    // 1 % of the estate disappears: a succeeded scan retires it; cost proportional to the change.
    const changed = Math.max(1, Math.floor(size / 100));
    estate = estate.slice(changed);
    const t2 = Date.now();
    const retireRun = await scan();
    const delta = await provider!.poll();
    for (;;) {
      const row = await knex('final_entities').count({ n: '*' }).where('entity_ref', 'like', 'machineidentity:%').where('final_entity', 'like', '%"state":"gone"%');
      if (Number(row[0].n) >= changed || Date.now() - t2 > 600_000) break;
      await sleep(500);
    }
    const tDelta = Date.now() - t2;

    // Timed out: the rate is what became visible by then.
    const shown = tVisible ? size : last!.visible;
    const rate = (shown / (tVisible || tSteady)) * 1000;
    const catalogRate = (shown / ((tVisible || tSteady) - tScan)) * 1000;
    if (!tVisible || tSteady > timeoutMs) console.log(`  TIMED OUT after ${s(tSteady)}: ${fmt(last!.visible)} of ${fmt(size)} visible, ${fmt(last!.processed)} processed`);
    const split = `this process ${fmt(cpu.own / size * 1000)} µs${replica ? `, ${variant.processes === 2 ? 'second catalog process' : `other ${variant.processes - 1} catalog processes`} ${fmt(cpu.replica / size * 1000)} µs` : ''}${pgCpu ? `, PostgreSQL ${fmt(cpu.pg / size * 1000)} µs` : ''}`;
    console.log(`${db}, ${fmt(size)} identities, ${variant.describe} (batch ${batchSize}, ${withRelations ? `related to ${GROUPS} groups and ${COMPONENTS} components` : 'owned by the fallback group only'}):`);
    console.log(`  scan by the real backend: ${firstScan.status}, ${fmt(firstScan.seen)} seen in ${s(tScan)}; provider applied ${fmt(run.added)} entities in ${run.mutations} delta mutations, ${s(tApplied - tScan)}`);
    console.log(`  all visible with relations ${s(tVisible)} after the scan started: ${fmt(rate)} entities/s end to end, ${fmt(catalogRate)}/s from feed to visible; processing done at ${s(processedAt)}, steady (${fmt(last!.relations)} relations, stitch queue empty) at ${s(tSteady)}; catalog API totalItems ${api.body.totalItems}`);
    console.log(`  catalog CPU ${(cpuPerEntity).toFixed(2)} ms per identity (${split}); ${(steady.searchRows / size).toFixed(1)} search rows per identity; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores${db === 'postgres' ? `; VACUUM (ANALYZE) run ${analyzed} times (every ${analyzeEveryMs / 1000} s)` : ''}`);
    console.log(`  projected 300,000 at this rate: ${(300_000 / rate / 60).toFixed(1)} min (target 15 min)`);
    console.log(`  unchanged re-scan (${rescanRun.status}, ${fmt(rescanRun.seen)} seen): ${rescan.feedItems} feed items, ${rescan.mutations} mutations; full reconcile: ${fmt(reconcile.feedItems)} items read, ${reconcile.mutations} mutations in ${s(tReconcile)}`);
    console.log(`  1 % gone (${fmt(changed)}, scan ${retireRun.status} retired ${fmt(retireRun.retired ?? 0)}): ${delta.mutations} mutations, ${fmt(delta.added)} entities, visible as gone ${s(tDelta)} after the scan started`);
    console.log(`  timeline:\n${timeline.join('\n')}`);
    return { variant, rate, catalogRate, cpuPerEntity, split, minutes300k: 300_000 / rate / 60 };
  } finally {
    await replica?.stop();
    await pgAdmin?.destroy();
    await backend.stop();
    await catalogDb.drop();
    await inventoryDb.drop();
  }
}

export async function run(): Promise<void> {
  for (const size of sizes) {
    for (const db of dbs) {
      const variants = variantNames.map(catalogVariant).filter(v => v.processes === 1 || db === 'postgres');
      const rows: Row[] = [];
      for (const variant of variants) rows.push(await benchOne(db, size, variant));
      const peer = rows.find(r => r.variant.name === peerName);
      console.log(`\n${db}, ${fmt(size)} identities, same run:`);
      for (const r of rows) {
        const vs = peer && r !== peer ? ` (x${(r.rate / peer.rate).toFixed(2)} entities/s, x${(r.cpuPerEntity / peer.cpuPerEntity).toFixed(2)} CPU vs ${peerName})` : '';
        console.log(`  ${r.variant.name.padEnd(8)} ${fmt(r.rate).padStart(5)} entities/s end to end, ${fmt(r.catalogRate).padStart(5)}/s feed to visible, ${r.cpuPerEntity.toFixed(2)} ms CPU per identity, 300,000 in ${r.minutes300k.toFixed(1)} min${vs}`);
      }
      console.log('');
    }
  }
}
