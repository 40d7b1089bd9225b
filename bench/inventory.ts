/**
 * Inventory benchmark: upsert throughput for 300,000 observations on SQLite
 * and PostgreSQL (against a plain knex insert of the same rows as the peer
 * baseline), then p50/p99 of a filtered identity page and of the summary at
 * 300,000 identities. Store-level timings (no HTTP). PostgreSQL figures are
 * taken after `VACUUM ANALYZE` (as autovacuum leaves a table); the summary is
 * also timed before it.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { DatabaseInventoryStores } from '../plugins/machine-identity-backend/src/database/DatabaseInventoryStores';
import { writeDiscoveries } from '../plugins/machine-identity-backend/src/inventory/writeDiscoveries';
import { concludeRun } from '../plugins/machine-identity-backend/src/scanning/concludeRun';
import { ComponentIndex } from '../plugins/machine-identity-backend/src/ownership/ComponentIndex';
import { OwnershipResolver } from '../plugins/machine-identity-backend/src/ownership/OwnershipResolver';
import { onEachDatabase } from './_databases';

const TOTAL = Number(process.env.KEYRING_BENCH_IDENTITIES ?? 300_000);
const BATCH = 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function discoveryOf(n: number, now: number): MachineIdentityDiscovery {
  const team = n % 50;
  const types = ['tls-certificate', 'ssh-key', 'api-token'] as const;
  return {
    type: types[n % 3],
    fingerprintSha256: createHash('sha256').update(`bench-${n}`).digest('hex'),
    displayName: `svc-${n}.team-${team}.example.test`,
    attributes: {
      subject: `CN=svc-${n}.team-${team}.example.test`,
      notAfter: new Date(now + ((n % 400) - 20) * 86_400_000).toISOString(),
      keyAlgorithm: 'ecdsa',
      keySize: 256,
    },
    location: `127.0.${(n >> 8) & 255}.${n & 255}:8443`,
    links: { hostnames: [`svc-${n}.team-${team}.example.test`] },
    details: { tlsVersion: 'TLSv1.3' },
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeIt(n: number, fn: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function benchDatabase(name: string, knex: Knex) {
  const store = await DatabaseInventoryStores.fromKnex(knex);
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  resolver.setIndex(
    ComponentIndex.fromEntities(
      Array.from({ length: 50 }, (_, t) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: `team-${t}-app`, annotations: { 'keyring.io/hostnames': `*.team-${t}.example.test` } },
        spec: { owner: `group:default/team-${t}`, lifecycle: 'production' },
      })),
    ),
  );
  const now = Date.now();

  // peer baseline: a plain multi-row knex insert of the same identity rows
  await knex.schema.dropTableIfExists('bench_plain');
  await knex.schema.createTable('bench_plain', t => {
    t.string('id', 64).primary();
    t.string('type', 32);
    t.string('fingerprint_sha256', 64);
    t.text('display_name');
    t.text('attributes');
    t.text('location');
  });
  const t0 = performance.now();
  for (let start = 0; start < TOTAL; start += BATCH) {
    const rows = [];
    for (let n = start; n < Math.min(TOTAL, start + BATCH); n++) {
      const d = discoveryOf(n, now);
      rows.push({ id: d.fingerprintSha256, type: d.type, fingerprint_sha256: d.fingerprintSha256, display_name: d.displayName, attributes: JSON.stringify(d.attributes), location: d.location });
    }
    for (let i = 0; i < rows.length; i += 500) {
      await knex('bench_plain').insert(rows.slice(i, i + 500));
    }
  }
  const plainSeconds = (performance.now() - t0) / 1000;
  await knex.schema.dropTable('bench_plain');

  // A whole run: every batch, then the end of the run (logged sightings applied, retirement rule, run status).
  const scan = async (scanId: string) => {
    const started = performance.now();
    await store.scanRuns.create({ id: scanId, sourceId: 'bench', trigger: 'manual', startedAt: new Date().toISOString(), claimed: true });
    for (let start = 0; start < TOTAL; start += BATCH) {
      const discoveries = [];
      for (let n = start; n < Math.min(TOTAL, start + BATCH); n++) discoveries.push(discoveryOf(n, now));
      await writeDiscoveries(store, { scanId, sourceId: 'bench', discoveries, now: new Date().toISOString(), resolveOwnership: resolver.resolve });
    }
    const { status } = await concludeRun(store, {
      scanId,
      sourceId: 'bench',
      status: 'succeeded',
      covered: [],
      maxShare: 0.1,
      record: () => undefined,
      final: () => ({ seen: TOTAL, added: 0, progress: { done: TOTAL, total: TOTAL }, errors: [], errorCount: 0 }),
    });
    if (status !== 'succeeded') throw new Error(`bench run ${scanId} ended ${status}`);
    return (performance.now() - started) / 1000;
  };
  const insertSeconds = await scan('bench-1');
  const rescanSeconds = await scan('bench-2');
  const stale = await knex('observations').where({ source_id: 'bench' }).whereNot('last_scan_id', 'bench-2').count({ n: '*' }).first();
  if (Number(stale?.n) !== 0) throw new Error(`the re-scan left ${stale?.n} observations unrefreshed`);
  if (name === 'PostgreSQL') await knex.raw('ANALYZE');
  const nowBeforeVacuum = new Date().toISOString();
  // straight after a bulk load PostgreSQL's visibility map is empty (no index-only scans until autovacuum)
  const summaryUnvacuumed = await timeIt(30, () => store.identities.getSummary(nowBeforeVacuum));
  if (name === 'PostgreSQL') await knex.raw('VACUUM ANALYZE identities');

  const nowIso = new Date().toISOString();
  const cursors: (string | undefined)[] = [undefined];
  let page = await store.identities.list({ owner: 'group:default/team-7', type: 'tls-certificate' }, { limit: 50, now: nowIso });
  while (page.nextCursor && cursors.length < 40) {
    cursors.push(page.nextCursor);
    page = await store.identities.list({ owner: 'group:default/team-7', type: 'tls-certificate' }, { limit: 50, now: nowIso, cursor: page.nextCursor });
  }
  const pageLatency = await timeIt(300, i =>
    store.identities.list({ owner: 'group:default/team-7', type: 'tls-certificate' }, { limit: 50, now: nowIso, cursor: cursors[i % cursors.length] }),
  );
  const expiringLatency = await timeIt(300, () =>
    store.identities.list({ state: 'active', expiresWithinDays: 30 }, { limit: 50, now: nowIso }),
  );
  const summaryLatency = await timeIt(30, () => store.identities.getSummary(nowIso));
  const summary = await store.identities.getSummary(nowIso);

  console.log(`${name}: ${fmt(TOTAL)} observations upserted in ${insertSeconds.toFixed(1)}s (${fmt(TOTAL / insertSeconds)}/s); identical re-scan ${rescanSeconds.toFixed(1)}s (${fmt(TOTAL / rescanSeconds)}/s), ${(rescanSeconds / insertSeconds).toFixed(2)}x the first load (each a whole run: batches + end of run)`);
  console.log(`${name}: peer baseline, plain knex insert of the same rows: ${plainSeconds.toFixed(1)}s (${fmt(TOTAL / plainSeconds)}/s); Keyring upsert costs ${(insertSeconds / plainSeconds).toFixed(1)}x the plain insert`);
  console.log(`${name}: identity page (owner + type, 50 rows, keyset cursor) p50 ${pageLatency.p50.toFixed(1)} ms, p99 ${pageLatency.p99.toFixed(1)} ms at ${fmt(summary.total)} identities`);
  console.log(`${name}: identity page (state + expiresWithinDays=30) p50 ${expiringLatency.p50.toFixed(1)} ms, p99 ${expiringLatency.p99.toFixed(1)} ms`);
  console.log(`${name}: summary p50 ${summaryLatency.p50.toFixed(1)} ms, p99 ${summaryLatency.p99.toFixed(1)} ms (owned ${fmt(summary.owned)}, orphaned ${fmt(summary.orphaned)})${name === 'PostgreSQL' ? `; straight after the bulk load, before any vacuum: p50 ${summaryUnvacuumed.p50.toFixed(1)} ms, p99 ${summaryUnvacuumed.p99.toFixed(1)} ms` : ''}`);
}

/** Runs the inventory benchmark on SQLite and PostgreSQL and prints its figures. */
export async function run(): Promise<void> {
  await onEachDatabase(benchDatabase);
}

if (process.argv[1]?.endsWith('inventory.ts')) {
  run().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
}
