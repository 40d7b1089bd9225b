/**
 * Scorecard benchmark: Tech Insights fact retrieval for 1,000 Components and
 * 50 Groups over 300,000 identities (the machine-identity service's indexed
 * GROUP BY queries, as the fact retriever calls them), and the peak memory of
 * a 300,000-row evidence export streamed to a slow consumer — beside the
 * peer figure of loading the same rows at once with a plain knex select.
 * SQLite and PostgreSQL (`KEYRING_BENCH_ONLY=sqlite|postgres` for one side).
 */
import { Writable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Knex } from 'knex';
import { onEachDatabase } from './_databases';
import { DatabaseMachineIdentityService } from '../plugins/machine-identity-backend/src/facts/DatabaseMachineIdentityService';
import { migrateInventory } from '../plugins/machine-identity-backend/src/facts/__fixtures__/knownInventory';
import { EvidenceQuery } from '../plugins/machine-identity-backend/src/evidence/EvidenceQuery';
import { writeEvidence } from '../plugins/machine-identity-backend/src/evidence/writeEvidence';

const TOTAL = Number(process.env.KEYRING_BENCH_IDENTITIES ?? 300_000);
const COMPONENTS = 1000;
const GROUPS = 50;
const DAY = 86_400_000;
const MB = 1024 * 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const TYPES = ['tls-certificate', 'ssh-key', 'api-token', 'service-account'];
const MANAGEMENT = ['automated', 'automated', 'manual', 'unmanaged'];

/** Identity `n` of the bench inventory, as an `identities` row, and its open violation if any. */
function rowsOf(n: number, now: number) {
  const component = n % COMPONENTS;
  const notBefore = new Date(now - (n % 90) * DAY).toISOString();
  const notAfter = new Date(now + ((n % 400) - 20) * DAY).toISOString();
  const identity = {
    id: `bench-${n}`, type: TYPES[n % 4], fingerprint_sha256: String(n).padStart(64, '0'),
    display_name: `svc-${n}.c${component}.example.test`, subject: `CN=svc-${n}`,
    attributes: JSON.stringify({ notBefore, notAfter, keyAlgorithm: 'ecdsa', keySize: 256 }),
    not_after: notAfter, owner: `group:default/team-${component % GROUPS}`, component: `component:default/c${component}`,
    ownership_rule: 'component-annotation', ownership_via: 'bench', state: n % 50 === 0 ? 'gone' : 'active',
    state_changed_at: new Date(now - 30 * DAY).toISOString(), management: MANAGEMENT[n % 4],
    first_seen: new Date(now - 60 * DAY).toISOString(), last_seen: new Date(now).toISOString(),
    change_seq: n + 1, observation_count: 1, violation_count: n % 7 === 0 ? 1 : 0, review_status: 'never',
  };
  const violation =
    n % 7 === 0
      ? { identity_id: identity.id, rule_id: 'tls.expiring', severity: n % 3 ? 'warning' : 'error', message: 'expiring', remediation: 'renew', first_detected: new Date(now - 5 * DAY).toISOString() }
      : undefined;
  return { identity, violation };
}

/**
 * Bulk load in one transaction: on SQLite through the driver's prepared
 * statements, on PostgreSQL as JSON parameters of 5,000 rows (knex's
 * multi-row inserts spend minutes compiling SQL at this size).
 */
async function load(knex: Knex, now: number) {
  if (knex.client.config.client === 'pg') {
    // 5,000 rows per statement as one JSON parameter: the server expands them
    const insertJson = (trx: Knex.Transaction, table: string, rows: Record<string, unknown>[]) => {
      const columns = Object.keys(rows[0]).join(', ');
      return trx.raw(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${table}, ?)`, [JSON.stringify(rows)]);
    };
    await knex.transaction(async trx => {
      for (let start = 0; start < TOTAL; start += 5000) {
        const batch = Array.from({ length: Math.min(5000, TOTAL - start) }, (_, i) => rowsOf(start + i, now));
        await insertJson(trx, 'identities', batch.map(r => r.identity));
        const violations = batch.flatMap(r => (r.violation ? [r.violation] : []));
        if (violations.length) await insertJson(trx, 'violations', violations);
      }
    });
    return;
  }
  const db = await knex.client.acquireConnection();
  try {
    const insert = (table: string, row: Record<string, unknown>) =>
      db.prepare(`INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`);
    const sample = rowsOf(0, now);
    const identityInsert = insert('identities', sample.identity);
    const violationInsert = insert('violations', sample.violation!);
    db.transaction(() => {
      for (let n = 0; n < TOTAL; n++) {
        const { identity, violation } = rowsOf(n, now);
        identityInsert.run(Object.values(identity));
        if (violation) violationInsert.run(Object.values(violation));
      }
    })();
  } finally {
    await knex.client.releaseConnection(db);
  }
}

/** A garbage collection, when the runtime allows one (`npm run bench` passes no flags). */
function collectGarbage() {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Peak live heap (sampled after a forced collection every 250 ms, so garbage
 * not yet collected does not count) and peak RSS above the level before `fn`.
 */
async function peakMemory<T>(fn: (sample: () => void) => Promise<T>): Promise<{ result: T; heapMb: number; rssMb: number; seconds: number }> {
  collectGarbage();
  const before = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const sample = () => {
    collectGarbage();
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed - before.heapUsed);
    rss = Math.max(rss, m.rss - before.rss);
  };
  const timer = setInterval(sample, 250);
  const t0 = performance.now();
  try {
    const result = await fn(sample);
    sample();
    return { result, heapMb: heap / MB, rssMb: rss / MB, seconds: (performance.now() - t0) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

async function benchDatabase(name: string, knex: Knex) {
  await migrateInventory(knex);
  const now = Date.now();
  let t0 = performance.now();
  await load(knex, now);
  if (name === 'PostgreSQL') await knex.raw('VACUUM ANALYZE identities');
  console.log(`${name}: loaded ${fmt(TOTAL)} identities over ${fmt(COMPONENTS)} Components and ${GROUPS} Groups in ${((performance.now() - t0) / 1000).toFixed(1)}s`);

  const service = DatabaseMachineIdentityService.create(knex);
  const components = Array.from({ length: COMPONENTS }, (_, c) => `component:default/c${c}`);
  const groups = Array.from({ length: GROUPS }, (_, g) => `group:default/team-${g}`);
  const runs: number[] = [];
  let facts: Awaited<ReturnType<typeof service.getEntityFacts>> = [];
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    facts = await service.getEntityFacts([...components, ...groups]);
    runs.push(performance.now() - t0);
  }
  const identities = facts.slice(0, COMPONENTS).reduce((n, f) => n + f.identitiesTotal, 0);
  console.log(`${name}: facts for ${fmt(COMPONENTS)} Components + ${GROUPS} Groups (${fmt(identities)} live identities) in ${runs.map(r => `${fmt(r)} ms`).join(', ')} (3 runs; a few indexed GROUP BY statements per batch of 200 entities)`);

  const scope = { from: new Date(now - 90 * DAY).toISOString(), to: new Date(now + DAY).toISOString() };
  const parts = await EvidenceQuery.create(knex).parts(scope);
  const counts = await Promise.all(parts.map(p => p.count()));
  let bytes = 0;
  const slowConsumer = () =>
    new Writable({
      highWaterMark: 256 * 1024,
      write(chunk, _encoding, done) {
        bytes += chunk.length;
        setImmediate(done);
      },
    });
  const exported = await peakMemory(() =>
    writeEvidence({ out: slowConsumer(), format: 'csv', scope, parts, counts, generatedAt: new Date().toISOString() }),
  );
  console.log(`${name}: evidence export (CSV) of ${fmt(exported.result)} rows, ${fmt(bytes / MB)} MB, in ${exported.seconds.toFixed(1)}s; peak heap +${exported.heapMb.toFixed(0)} MB, peak RSS +${exported.rssMb.toFixed(0)} MB`);
  const loaded = await peakMemory(async sample => {
    const rows = await knex('identities').select('*');
    sample(); // while the rows are held
    return rows.length;
  });
  console.log(`${name}: peer baseline, plain knex select of the ${fmt(loaded.result)} identity rows at once: peak heap +${loaded.heapMb.toFixed(0)} MB, peak RSS +${loaded.rssMb.toFixed(0)} MB`);
}

/** Runs the scorecard benchmark on SQLite and PostgreSQL and prints its figures. */
export async function run(): Promise<void> {
  await onEachDatabase(benchDatabase);
}
