/*
 * Catalog ingestion at scale: identities scanned by the real machine-identity
 * backend plugin (through an in-bench scanner module registered on
 * machineIdentityScannersExtensionPoint), read from its change feed over HTTP
 * with service-to-service auth by Keyring's entity provider, and made visible
 * by the real catalog backend (@backstage/plugin-catalog-backend 4.0.0) on
 * SQLite and PostgreSQL. Prints entities visible per second with their Group
 * and Component relations, time until the catalog is steady, where the catalog
 * spends the time (processing vs stitching), and the mutations an unchanged
 * re-scan applies (must be 0).
 *
 * The peer is the figure measured on these machines before Keyring's provider
 * existed: a throw-away provider with chunked delta mutations made 10,000
 * custom entities visible in 99 s and 30,000 in 144 s (~200/s at best) on
 * PostgreSQL, 2 cores.
 *
 *   KEYRING_BENCH_CATALOG_SIZES=10000,100000   sizes (default 10000)
 *   KEYRING_BENCH_CATALOG_DBS=postgres,sqlite  databases (default both)
 *   KEYRING_BENCH_CATALOG_BATCH=1000           entities per mutation
 *   KEYRING_BENCH_CATALOG_REPLICAS=1           PostgreSQL: catalog backends sharing the database
 *   KEYRING_BENCH_CATALOG_RELATIONS=1          0: identities without owner/component
 *   KEYRING_BENCH_CATALOG_TIMEOUT_S=1800       give up waiting for steady after this
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
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

const PG = process.env.KEYRING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const GROUPS = 50;
const COMPONENTS = 1000;
const PEER_RATE = 10_000 / 99; // entities/s, throw-away provider, PostgreSQL, 10,000 entities

const sizes = (process.env.KEYRING_BENCH_CATALOG_SIZES ?? '10000').split(',').map(Number);
const dbs = (process.env.KEYRING_BENCH_CATALOG_DBS ?? 'postgres,sqlite').split(',');
const batchSize = Number(process.env.KEYRING_BENCH_CATALOG_BATCH ?? 1000);
const replicas = Number(process.env.KEYRING_BENCH_CATALOG_REPLICAS ?? 1);
const withRelations = process.env.KEYRING_BENCH_CATALOG_RELATIONS !== '0';
const timeoutMs = Number(process.env.KEYRING_BENCH_CATALOG_TIMEOUT_S ?? 1800) * 1000;

/** What the in-bench scanner finds on its next run. */
let estate: MachineIdentityDiscovery[] = [];

const estateScannerModule = createScannerModule({
  moduleId: 'bench-estate',
  scanner: {
    sourceTypes: ['bench-estate'],
    async *scan() {
      yield* estate;
    },
  },
});

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
    location: `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:443`,
    ...(withRelations
      ? { ownerHint: { owner: `group:default/team-${n % GROUPS}`, component: `component:default/service-${n % COMPONENTS}`, via: 'bench' } }
      : {}),
  };
}

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
  const name = `keyring_bench_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
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
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const benchConfig = {
  backend: { baseUrl: 'http://localhost:7007' },
  // Large inventories: re-process rarely so the loop works on changes.
  catalog: { processingInterval: { hours: 1 }, stitchingStrategy: { pollingInterval: { milliseconds: 200 } } },
  machineIdentity: {
    fallbackOwner: 'group:default/team-0',
    sources: [{ id: 'estate', type: 'bench-estate', schedule: { frequency: { hours: 24 }, timeout: { hours: 1 }, initialDelay: { hours: 24 } } }],
  },
};

async function benchOne(db: string, size: number): Promise<void> {
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
  let provider: MachineIdentityEntityProvider | undefined;
  const backend = await startTestBackend({
    features: [
      import('@backstage/plugin-catalog-backend'),
      import('@keyring/plugin-machine-identity-backend'),
      estateScannerModule,
      perPluginDatabase,
      mockServices.rootConfig.factory({ data: benchConfig }),
      orgFixtureModule(GROUPS, COMPONENTS),
      providerHandleModule(p => (provider = p), { batchSize }),
    ],
  });
  // Replicas run the same catalog modules (the catalog evicts entities of
  // providers a replica lacks); only the first one's provider is driven.
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
    const expectedRelations = withRelations ? 2 * size : size; // without hints: the fallback owner only

    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    let cpuMark = process.cpuUsage();
    const firstScan = await scan();
    const tScan = Date.now() - t0;
    const run = await provider!.poll();
    const tApplied = Date.now() - t0;
    let tVisible = 0;
    let processedAt = 0;
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
        timeline.push(`    t=${s(elapsed)}: in catalog ${fmt(c.refreshState)}, processed ${fmt(c.processed)}, visible ${fmt(c.visible)}, relations ${fmt(c.relations)}, stitch queue ${fmt(c.stitchQueue)}, bench process CPU ${(100 * share).toFixed(0)} % of a core, load ${os.loadavg()[0].toFixed(1)}`);
      }
      last = c;
      if (c.visible >= size && c.processed >= size && c.relations >= expectedRelations && c.stitchQueue === 0) break;
      if (elapsed > timeoutMs) break;
      await sleep(1000);
    }
    const tSteady = Date.now() - t0;
    const cpuTotal = process.cpuUsage(cpu0);
    const cpuSeconds = (cpuTotal.user + cpuTotal.system) / 1e6;
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
      if (Number(row[0].n) >= changed || Date.now() - t2 > timeoutMs) break;
      await sleep(500);
    }
    const tDelta = Date.now() - t2;

    const rate = (size / (tVisible || tSteady)) * 1000;
    const catalogRate = (size / ((tVisible || tSteady) - tScan)) * 1000;
    console.log(`${db}${others.length ? ` with ${others.length + 1} catalog replicas` : ''}, ${fmt(size)} identities (batch ${batchSize}, ${withRelations ? `related to ${GROUPS} groups and ${COMPONENTS} components` : 'owned by the fallback group only'}):`);
    console.log(`  scan by the real backend: ${firstScan.status}, ${fmt(firstScan.seen)} seen in ${s(tScan)}`);
    console.log(`  provider read the feed and applied ${fmt(run.added)} entities in ${run.mutations} delta mutations, ${s(tApplied - tScan)}`);
    console.log(`  all visible with relations ${s(tVisible)} after the scan started: ${fmt(rate)} entities/s end to end, ${fmt(catalogRate)}/s from feed to visible (peer throw-away provider ~${fmt(PEER_RATE)}/s: x${(catalogRate / PEER_RATE).toFixed(2)})`);
    console.log(`  catalog processing done at ${s(processedAt)}, stitching done at ${s(tVisible)}; steady (${fmt(last!.relations)} relations, stitch queue empty) at ${s(tSteady)}; catalog API totalItems ${api.body.totalItems}`);
    console.log(`  bench process CPU ${cpuSeconds.toFixed(0)} s (${((cpuSeconds / size) * 1000).toFixed(1)} ms per identity, scan included); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    console.log(`  projected 300,000 at this rate: ${(300_000 / rate / 60).toFixed(1)} min (target 15 min)`);
    console.log(`  unchanged re-scan (${rescanRun.status}, ${fmt(rescanRun.seen)} seen): ${rescan.feedItems} feed items, ${rescan.mutations} mutations; full reconcile: ${fmt(reconcile.feedItems)} items read, ${reconcile.mutations} mutations in ${s(tReconcile)}`);
    console.log(`  1 % gone (${fmt(changed)}, scan retired ${fmt(retireRun.retired)}): ${delta.mutations} mutations, ${fmt(delta.added)} entities, visible as gone ${s(tDelta)} after the scan started`);
    console.log(`  timeline:\n${timeline.join('\n')}`);
  } finally {
    for (const other of others) await other.stop();
    await backend.stop();
    await catalogDb.drop();
    await inventoryDb.drop();
  }
}

export async function run(): Promise<void> {
  for (const size of sizes) {
    for (const db of dbs) {
      await benchOne(db, size);
    }
  }
}
