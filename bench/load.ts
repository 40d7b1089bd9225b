/**
 * Load benchmark: the REST API under concurrent clients while a scan runs.
 * Seeds `KEYRING_BENCH_IDENTITIES` (default 300,000) identities through the
 * real write path (writeDiscoveries, batches of 5,000) into SQLite and
 * PostgreSQL (`KEYRING_BENCH_ONLY=postgres` for one side), starts the real
 * backend router (machine-identity plugin in a test backend, HTTP on
 * loopback) and drives it from a separate process (bench/_loadClient.ts,
 * autocannon): `KEYRING_BENCH_LOAD_CONNECTIONS` (default 50) clients for
 * `KEYRING_BENCH_LOAD_SECONDS` (default 60) per window, each cycling through
 * one mix — the first urgency page and the page after it (its cursor), an
 * owner's page in urgency and in id order, a `q=` search with one match and
 * one with 2 % of the estate, and four identity details.
 *
 * Windows: closed loop (every client sends its next request as soon as the
 * last is answered — the saturation point, where latency is clients ÷
 * throughput) idle and while a scan re-sights the whole estate round after
 * round; then paced at `KEYRING_BENCH_LOAD_RATE` requests/s over all clients
 * (default 100, 2/s per client) while the scan runs (paced at
 * `KEYRING_BENCH_LOAD_SCAN_RATE` identities/s, default 2,000; see below) — the latency a user
 * sees when the portal is busy but not saturated, corrected for coordinated
 * omission. The peer, in the same run on the same database while the same
 * scan runs, is a bare node:http server answering the same mix with knex
 * SELECTs of the same rows (no auth, no totals, no urgency order), closed
 * loop and paced. Prints p50/p99 per request kind and overall, errors (goal
 * 0), req/s and the machine's load average. Goal: p99 < 50 ms under the
 * paced load with a scan running. It prints; it does not pass or fail.
 * `KEYRING_BENCH_DEBUG=1` prints each step with a timestamp.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type MachineIdentityDiscovery, createScannerModule } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { DatabaseInventoryStores } from '../plugins/machine-identity-backend/src/database/DatabaseInventoryStores';
import { writeDiscoveries } from '../plugins/machine-identity-backend/src/inventory/writeDiscoveries';
import { ComponentIndex } from '../plugins/machine-identity-backend/src/ownership/ComponentIndex';
import { OwnershipResolver } from '../plugins/machine-identity-backend/src/ownership/OwnershipResolver';
import { DefaultPolicyEngine } from '../plugins/machine-identity-backend/src/policy/DefaultPolicyEngine';
import { PolicyEvaluation } from '../plugins/machine-identity-backend/src/policy/PolicyEvaluation';
import { onEachDatabase } from './_databases';
import { type Measured as MeasuredByClient, TEAMS, TYPES, fingerprintOf, runLoad } from './_loadClient';
import { type ServerSecond, describeStalls, startServerTimeline } from './_serverTimeline';
import { startWindowProfile } from './_windowProfile';

/** Size and shape of one load run. */
export interface LoadOptions {
  identities: number;
  connections: number;
  seconds: number;
  /** Requests/s over all clients in the paced windows. */
  rate: number;
  /** Identities/s the scan under load sights (0: unpaced). */
  scanRate: number;
  /** Also run the mix with no scan running (default true). */
  idle?: boolean;
}

/** A window's figures and, for a paced one, what the servers' process did each second. */
export type Measured = MeasuredByClient & { timeline?: Map<number, ServerSecond> };

/** What {@link measureLoad} found. */
export interface LoadFigures {
  database: string;
  options: LoadOptions;
  seedSeconds: number;
  idle?: Measured;
  scanning: Measured;
  scanningPaced: Measured;
  peer: Measured;
  peerPaced: Measured;
  /** The scan was still running when the last load window ended. */
  scanRanThroughout: boolean;
  /** Identities the scan sighted from its start to the end of the last window. */
  scanSighted: number;
  /** Identities the scan changed (moved in the change feed): 0 for the unchanged estate it re-sights. */
  scanRewrote: number;
  /** 1-minute load average at the start and end of the load windows. */
  loadAverage: [number, number];
}

/** The options from the environment (see the file's comment). */
export function loadOptionsFromEnv(defaults: Partial<LoadOptions> = {}): LoadOptions {
  return {
    identities: Number(process.env.KEYRING_BENCH_IDENTITIES ?? defaults.identities ?? 300_000),
    connections: Number(process.env.KEYRING_BENCH_LOAD_CONNECTIONS ?? defaults.connections ?? 50),
    seconds: Number(process.env.KEYRING_BENCH_LOAD_SECONDS ?? defaults.seconds ?? 60),
    rate: Number(process.env.KEYRING_BENCH_LOAD_RATE ?? defaults.rate ?? 100),
    scanRate: Number(process.env.KEYRING_BENCH_LOAD_SCAN_RATE ?? defaults.scanRate ?? 2_000),
    idle: defaults.idle ?? true,
  };
}

const noop = () => undefined;
const silentLogger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => silentLogger };
const SEED_BATCH = 5_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Identity `n`: owned by one of 50 teams through source metadata, a spread of expiry dates. */
function identity(n: number, now: number): MachineIdentityDiscovery {
  const team = n % TEAMS;
  return {
    type: TYPES[n % 3],
    fingerprintSha256: fingerprintOf(n),
    displayName: `svc-${n}.team-${team}.example.test`,
    attributes: { subject: `CN=svc-${n}.team-${team}.example.test, O=Load`, notAfter: new Date(now + ((n % 400) - 20) * 86_400_000).toISOString() },
    location: `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:443`,
    ownerHint: { owner: `group:default/team-${team}`, via: 'bench metadata' },
  };
}

/**
 * The scan that runs under the load: re-sights the estate, round after
 * round, until told to stop, at `KEYRING_BENCH_LOAD_SCAN_RATE` identities/s
 * (default 2,000 — a file or cluster scan's pace; the TLS sweep of
 * bench/tls.ts finds 250–400 endpoints/s; 0: as fast as the engine takes
 * them, ~50,000/s, no scanner's pace).
 */
const scanControl = { stop: false, now: Date.now(), total: 0, rate: 0, sighted: 0 };
const loadScannerModule = createScannerModule({
  moduleId: 'bench-load',
  scanner: {
    sourceTypes: ['bench-load'],
    async *scan() {
      // When the next hundred is due. A scan held back (by a saturating window) does not catch up later
      // at full speed: the next window would measure an unpaced scan.
      let due = performance.now();
      while (!scanControl.stop) {
        for (let n = 0; n < scanControl.total && !scanControl.stop; n++) {
          // A real scanner waits on the network or the disk between findings; without any such wait the
          // engine's loop (better-sqlite3 is synchronous) would never hand the event loop to the API.
          if (n % 100 === 0) {
            const now = performance.now();
            due = scanControl.rate ? Math.max(due + (100 / scanControl.rate) * 1000, now - 1000) : now;
            await new Promise(resolve => (due > now ? setTimeout(resolve, due - now) : setImmediate(resolve)));
          }
          scanControl.sighted++;
          yield identity(n, scanControl.now);
        }
      }
    },
  },
});

/** The peer: node:http and knex SELECTs of the same rows, nothing else. */
async function startPeer(knex: Knex): Promise<{ server: Server; url: string }> {
  const answer = async (url: URL) => {
    const params = url.searchParams;
    if (url.pathname === '/detail') {
      const id = params.get('id') ?? '';
      const [row, observations, violations] = await Promise.all([
        knex('identities').where({ id }).first(),
        knex('observations').where({ identity_id: id }).orderBy(['source_id', 'location']).limit(1000),
        knex('violations').where({ identity_id: id }).whereNull('resolved_at'),
      ]);
      return { ...row, observations, violations };
    }
    const q = knex('identities');
    if (params.get('owner')) q.where('owner', params.get('owner')!);
    const needle = params.get('q');
    if (needle) {
      // The column and index Keyring's search uses (migration 20261202160000_identity_search_text).
      q.where('search_text', 'like', `%${needle.toLowerCase()}%`);
    }
    const cursor = params.get('cursor');
    if (cursor) q.where('id', '>', cursor);
    const rows = await q.orderBy('id').limit(51);
    return { items: rows.slice(0, 50), nextCursor: rows.length > 50 ? rows[49].id : undefined };
  };
  const server = createServer((req, res) => {
    answer(new URL(req.url ?? '/', 'http://peer')).then(
      body => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      },
      error => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Seeds `total` identities through the real write path, owners resolved from
 * their hints and the default policy evaluated (expired and expiring
 * certificates get their violations, hence their urgency rank); returns the
 * seconds it took.
 */
export async function seed(knex: Knex, total: number): Promise<number> {
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const started = performance.now();
  await stores.scanRuns.create({ id: 'seed', sourceId: 'load', trigger: 'manual', startedAt: new Date().toISOString(), claimed: true });
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  const resolveOwnership = resolver.resolve;
  // The plugin's scans hash each sighting with the version of the Component index they resolve against
  // (from the catalog, which holds no Component here): seeded with the same, the scan under load is a
  // re-sighting of an unchanged estate, as a steady-state scan is, not a rewrite of every identity.
  const inputVersion = ComponentIndex.fromEntities([]).version;
  const policy = PolicyEvaluation.create({ engine: DefaultPolicyEngine.create(), components: () => resolver.getIndex(), logger: silentLogger });
  for (let start = 0; start < total; start += SEED_BATCH) {
    const discoveries = [];
    for (let n = start; n < Math.min(total, start + SEED_BATCH); n++) discoveries.push(identity(n, scanControl.now));
    await writeDiscoveries(stores, { scanId: 'seed', sourceId: 'load', discoveries, now: new Date().toISOString(), resolveOwnership, policy, inputVersion });
  }
  await stores.scanRuns.update('seed', { status: 'succeeded', finishedAt: new Date().toISOString(), seen: total });
  if (knex.client.config.client === 'pg') await knex.raw('VACUUM ANALYZE');
  return (performance.now() - started) / 1000;
}

/**
 * Seeds `knex`, starts the real plugin with a scanner that re-sights the
 * estate, and measures the mix idle (unless `idle: false`), while the scan
 * runs, and the peer while the scan still runs.
 */
export async function measureLoad(database: string, knex: Knex, options: LoadOptions): Promise<LoadFigures> {
  const step = (what: string) => process.env.KEYRING_BENCH_DEBUG && console.error(`${new Date().toISOString()} ${database}: ${what}`);
  scanControl.total = options.identities;
  const seedSeconds = await seed(knex, options.identities);
  step(`seeded ${fmt(options.identities)} in ${seedSeconds.toFixed(1)} s`);
  // Identities the scan under load moves in the change feed past this are ones it rewrote.
  const seededSeq = Number((await knex('identities').max({ seq: 'change_seq' }).first())?.seq ?? 0);
  scanControl.stop = false;
  scanControl.rate = options.scanRate;
  scanControl.sighted = 0;
  const backend = await startTestBackend({
    features: [
      import('@keyring/plugin-machine-identity-backend'),
      loadScannerModule,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.user() }),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            sources: [{ id: 'load', type: 'bench-load', schedule: { frequency: { hours: 24 }, timeout: { hours: 1 }, initialDelay: { hours: 24 } } }],
          },
        },
      }),
    ],
  });
  const peer = await startPeer(knex);
  try {
    const origin = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
    const headers = { authorization: mockCredentials.user.header() };
    const before = loadavg()[0];
    const window = async (over: string, peerForm: boolean, rate?: number): Promise<Measured> => {
      // The servers and the scan share this process's event loop: how long it was blocked is part of the answer.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const [sighted, started] = [scanControl.sighted, performance.now()];
      const timeline = rate ? startServerTimeline(knex, () => scanControl.sighted) : undefined;
      const profile = rate ? await startWindowProfile() : undefined;
      const measured = await runLoad({ origin: over, peer: peerForm, total: options.identities, connections: options.connections, seconds: options.seconds, rate, headers: peerForm ? {} : headers });
      delay.disable();
      if (profile) console.log(`  ${peerForm ? 'peer' : 'Keyring'} paced window, self time:\n${(await profile.stop(peerForm ? 'peer-paced' : 'keyring-paced')).join('\n')}`);
      return { ...measured, timeline: timeline?.stop(), loopDelayP99: delay.percentile(99) / 1e6, scanSightingsPerSecond: ((scanControl.sighted - sighted) * 1000) / (performance.now() - started) };
    };
    step('idle mix, closed loop');
    const idle = options.idle === false ? undefined : await window(origin, false);
    // The test scheduler runs a triggered scan inside the request: do not wait for the answer.
    const scanAnswer = fetch(`${origin}/api/machine-identity/sources/load/scan`, { method: 'POST', headers });
    for (let i = 0; i < 150; i++) {
      const running = await knex('scan_runs').where({ source_id: 'load', status: 'running' }).first();
      if (running && Number(running.seen) > 0) break;
      await sleep(200);
    }
    step('mix while the scan runs, closed loop');
    const scanning = await window(origin, false);
    step(`mix while the scan runs, paced at ${options.rate}/s`);
    const scanningPaced = await window(origin, false, options.rate);
    step('peer mix while the scan runs, closed loop');
    const peerFigures = await window(peer.url, true);
    step(`peer mix while the scan runs, paced at ${options.rate}/s`);
    const peerPaced = await window(peer.url, true, options.rate);
    const after = loadavg()[0];
    const rewritten = await knex('identities').where('change_seq', '>', seededSeq).count({ n: '*' }).first();
    const scanRow = await knex('scan_runs').where({ source_id: 'load' }).whereNot({ id: 'seed' }).orderBy('started_at', 'desc').first();
    scanControl.stop = true;
    await scanAnswer.catch(() => undefined);
    return {
      database,
      options,
      seedSeconds,
      idle,
      scanning,
      scanningPaced,
      peer: peerFigures,
      peerPaced,
      scanRanThroughout: scanRow?.status === 'running',
      scanSighted: scanControl.sighted,
      scanRewrote: Number(rewritten?.n ?? 0),
      loadAverage: [before, after],
    };
  } finally {
    scanControl.stop = true;
    // Requests autocannon gave up on are still being answered: let them drain before the database goes.
    await sleep(3000);
    await new Promise(resolve => peer.server.close(resolve));
    await backend.stop();
  }
}

function print(figures: LoadFigures): void {
  const { database, options } = figures;
  console.log(
    `${database}: ${fmt(options.identities)} identities seeded through writeDiscoveries in ${figures.seedSeconds.toFixed(1)} s; ` +
      `${options.connections} clients × ${options.seconds} s per window on loopback; load average ${figures.loadAverage[0].toFixed(2)} → ${figures.loadAverage[1].toFixed(2)} on 2 cores`,
  );
  const pace = options.scanRate ? `paced at ${fmt(options.scanRate)} identities/s` : 'unpaced';
  const scan = figures.scanRanThroughout ? `${pace}, throughout: ${fmt(figures.scanSighted)} sightings, ${fmt(figures.scanRewrote)} identities rewritten` : `${pace}, it ENDED before the load did`;
  const paced = `paced at ${options.rate} req/s`;
  const windows: Array<[string, Measured, Measured]> = [
    ...(figures.idle ? [['Keyring, no scan, closed loop', figures.idle, figures.peer] as [string, Measured, Measured]] : []),
    [`Keyring, scan running (${scan}), closed loop`, figures.scanning, figures.peer],
    [`Keyring, scan running, ${paced}`, figures.scanningPaced, figures.peerPaced],
    ['peer: node:http + knex SELECTs, same scan running, closed loop', figures.peer, figures.peer],
    [`peer, same scan running, ${paced}`, figures.peerPaced, figures.peerPaced],
  ];
  console.log('  request kind                              p50 ms   p99 ms  requests  errors   p99/peer (same loop)');
  for (const [title, m, peerWindow] of windows) {
    console.log(`  ${title}`);
    for (const k of m.byKind) {
      const peerKind = peerWindow.byKind.find(o => o.kind === k.kind)!;
      console.log(
        `    ${k.kind.padEnd(38)} ${k.p50.toFixed(1).padStart(7)} ${k.p99.toFixed(1).padStart(8)} ${fmt(k.requests).padStart(9)} ${String(k.errors).padStart(7)} ${(k.p99 / Math.max(1, peerKind.p99)).toFixed(1).padStart(9)}`,
      );
    }
    console.log(
      `    ${'all'.padEnd(38)} ${String(m.p50).padStart(7)} ${String(m.p99).padStart(8)} ${fmt(m.requests).padStart(9)} ${String(m.errors).padStart(7)} ${(m.p99 / Math.max(1, peerWindow.p99)).toFixed(1).padStart(9)}   ${fmt(m.rps)} req/s; server event-loop delay p99 ${m.loopDelayP99?.toFixed(0)} ms; the scan sighted ${fmt(m.scanSightingsPerSecond ?? 0)}/s`,
    );
    if (m.slow) {
      console.log(`    answers over 50 ms: ${fmt(m.slow.over50)}, half of them due in ${m.slow.secondsWithHalf} of the window's ${m.slow.seconds} seconds; the seconds with most, beside the servers' process then:`);
      if (m.timeline) for (const line of describeStalls(m.slow.bySecond, m.timeline)) console.log(line);
    }
  }
  const goal = figures.scanningPaced;
  console.log(
    `${database}: ${options.connections} clients ${paced} with a scan running: p99 ${goal.p99} ms (goal < 50 ms: ${goal.p99 < 50 ? 'met' : 'NOT met'}), ` +
      `${goal.errors + figures.scanning.errors} errors in both scan windows (goal 0); peer p99 ${figures.peerPaced.p99} ms. ` +
      `Closed loop (saturation) with the scan: ${fmt(figures.scanning.rps)} req/s, p99 ${figures.scanning.p99} ms — ${options.connections} clients ÷ throughput is a mean of ` +
      `${Math.round((options.connections / Math.max(1, figures.scanning.rps)) * 1000)} ms; the peer ${fmt(figures.peer.rps)} req/s, p99 ${figures.peer.p99} ms`,
  );
}

export async function run(): Promise<void> {
  const options = loadOptionsFromEnv();
  await onEachDatabase(async (name, knex) => print(await measureLoad(name, knex, options)));
}
