/**
 * Load benchmark: the REST API under concurrent clients while a scan runs.
 * Seeds `KEYRING_BENCH_IDENTITIES` (default 300,000) identities through the
 * real write path (writeDiscoveries, batches of 5,000) into SQLite and
 * PostgreSQL (`KEYRING_BENCH_ONLY=postgres` for one side), starts the real
 * backend router (machine-identity plugin in a test backend, HTTP on
 * loopback) and drives it with autocannon: `KEYRING_BENCH_LOAD_CONNECTIONS`
 * (default 50) clients for `KEYRING_BENCH_LOAD_SECONDS` (default 60), each
 * cycling through one mix — the first urgency page and the page after it (its
 * cursor), an owner's page in urgency and in id order, a `q=` search with one
 * match and one with 2 % of the estate, and four identity details — first
 * idle, then while a scan re-sights the whole estate round after round. The
 * peer, in the same run on the same database while the same scan runs, is a
 * bare node:http server answering the same mix with knex SELECTs of the same
 * rows (no auth, no totals, no urgency order). Prints p50/p99 per request
 * kind and overall, errors (goal 0), req/s and the machine's load average.
 * Goal: p99 < 50 ms. It prints; it does not pass or fail.
 * `KEYRING_BENCH_DEBUG=1` prints each step with a timestamp.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type MachineIdentityDiscovery, createScannerModule } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { DatabaseInventoryStores } from '../plugins/machine-identity-backend/src/database/DatabaseInventoryStores';
import { identityId } from '../plugins/machine-identity-backend/src/database/identityId';
import { writeDiscoveries } from '../plugins/machine-identity-backend/src/inventory/writeDiscoveries';
import { OwnershipResolver } from '../plugins/machine-identity-backend/src/ownership/OwnershipResolver';
import { DefaultPolicyEngine } from '../plugins/machine-identity-backend/src/policy/DefaultPolicyEngine';
import { PolicyEvaluation } from '../plugins/machine-identity-backend/src/policy/PolicyEvaluation';
import { onEachDatabase } from './_databases';

/** Size and shape of one load run. */
export interface LoadOptions {
  identities: number;
  connections: number;
  seconds: number;
  /** Also run the mix with no scan running (default true). */
  idle?: boolean;
}

/** Latency and outcome of one autocannon run, overall and per request kind. */
export interface Measured {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  requests: number;
  byKind: Array<{ kind: string; p50: number; p99: number; requests: number; errors: number }>;
}

/** What {@link measureLoad} found. */
export interface LoadFigures {
  database: string;
  options: LoadOptions;
  seedSeconds: number;
  idle?: Measured;
  scanning: Measured;
  peer: Measured;
  /** The scan was still running when the last load window ended. */
  scanRanThroughout: boolean;
  scanRounds: number;
  /** 1-minute load average at the start and end of the load windows. */
  loadAverage: [number, number];
}

/** The options from the environment (see the file's comment). */
export function loadOptionsFromEnv(defaults: Partial<LoadOptions> = {}): LoadOptions {
  return {
    identities: Number(process.env.KEYRING_BENCH_IDENTITIES ?? defaults.identities ?? 300_000),
    connections: Number(process.env.KEYRING_BENCH_LOAD_CONNECTIONS ?? defaults.connections ?? 50),
    seconds: Number(process.env.KEYRING_BENCH_LOAD_SECONDS ?? defaults.seconds ?? 60),
    idle: defaults.idle ?? true,
  };
}

const TEAMS = 50;
const noop = () => undefined;
const silentLogger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => silentLogger };
const SEED_BATCH = 5_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const TYPES = ['tls-certificate', 'ssh-key', 'api-token'] as const;
const fingerprintOf = (n: number) => createHash('sha256').update(`load-${n}`).digest('hex');

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

/** The scan that runs under the load: re-sights the estate, round after round, until told to stop. */
const scanControl = { stop: false, rounds: 0, now: Date.now(), total: 0 };
const loadScannerModule = createScannerModule({
  moduleId: 'bench-load',
  scanner: {
    sourceTypes: ['bench-load'],
    async *scan() {
      while (!scanControl.stop) {
        for (let n = 0; n < scanControl.total && !scanControl.stop; n++) {
          // A real scanner waits on the network or the disk between findings; without any such wait the
          // engine's loop (better-sqlite3 is synchronous) would never hand the event loop to the API.
          if (n % 100 === 0) await new Promise(resolve => setImmediate(resolve));
          yield identity(n, scanControl.now);
        }
        scanControl.rounds++;
      }
    },
  },
});

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

/** One request of the mix: a path (drawn per request) and a kind to report it under. */
interface MixEntry {
  kind: string;
  path: (context: Record<string, any>) => string;
  /** Keeps what a later request of the same client needs (the next page's cursor). */
  keep?: (body: string, context: Record<string, any>) => void;
}

/** Runs the mix with autocannon, timing each response by kind. */
async function load(origin: string, mix: MixEntry[], options: LoadOptions, headers: Record<string, string>): Promise<Measured> {
  const times = new Map<string, number[]>(mix.map(m => [m.kind, []]));
  const failures = new Map<string, number>(mix.map(m => [m.kind, 0]));
  const result = await autocannon({
    url: origin,
    connections: options.connections,
    duration: options.seconds,
    headers,
    requests: mix.map(m => ({
      method: 'GET' as const,
      setupRequest: (req: any, context: any) => {
        context.started = performance.now();
        return { ...req, path: m.path(context) };
      },
      onResponse: (status: number, body: string, context: any) => {
        times.get(m.kind)!.push(performance.now() - context.started);
        if (status >= 400) failures.set(m.kind, failures.get(m.kind)! + 1);
        m.keep?.(body, context);
      },
    })),
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
    byKind: [...times.keys()].map(kind => {
      const sorted = times.get(kind)!.sort((a, b) => a - b);
      return { kind, p50: percentile(sorted, 50), p99: percentile(sorted, 99), requests: sorted.length, errors: failures.get(kind)! };
    }),
  };
}

/** The mix every client cycles through; `api` is the path prefix, `peer` the bare server's query form. */
function mixOf(total: number, peer: boolean): MixEntry[] {
  const team = () => Math.floor(Math.random() * TEAMS);
  const n = () => Math.floor(Math.random() * total);
  const owner = () => `group:default/team-${team()}`;
  const detail = (): MixEntry => ({
    kind: 'identity details',
    path: () => {
      const i = n();
      const id = identityId(TYPES[i % 3], fingerprintOf(i));
      return peer ? `/detail?id=${id}` : `/api/machine-identity/identities/${id}`;
    },
  });
  const api = (query: string) => (peer ? `/list?${query}` : `/api/machine-identity/identities?${query}`);
  return [
    {
      kind: 'first page (urgency order)',
      path: () => api('limit=50'),
      keep: (body, context) => {
        try {
          context.cursor = JSON.parse(body).nextCursor;
        } catch {
          context.cursor = undefined;
        }
      },
    },
    { kind: 'next page (its cursor)', path: context => api(`limit=50${context.cursor ? `&cursor=${encodeURIComponent(context.cursor)}` : ''}`) },
    { kind: "an owner's page (urgency order)", path: () => api(`owner=${owner()}&limit=50`) },
    { kind: "an owner's page (sort=id)", path: () => api(`owner=${owner()}&sort=id&limit=50`) },
    { kind: 'q= search, one match', path: () => api(`q=svc-${n()}.team&limit=50`) },
    { kind: 'q= search, 2 % match', path: () => api(`q=.team-${team()}.&limit=50`) },
    detail(),
    detail(),
    detail(),
    detail(),
  ];
}

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
      const like = `%${needle.toLowerCase()}%`;
      q.where(w => w.whereRaw('lower(display_name) LIKE ?', [like]).orWhereRaw('lower(subject) LIKE ?', [like]));
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
  const policy = PolicyEvaluation.create({ engine: DefaultPolicyEngine.create(), components: () => resolver.getIndex(), logger: silentLogger });
  for (let start = 0; start < total; start += SEED_BATCH) {
    const discoveries = [];
    for (let n = start; n < Math.min(total, start + SEED_BATCH); n++) discoveries.push(identity(n, scanControl.now));
    await writeDiscoveries(stores, { scanId: 'seed', sourceId: 'load', discoveries, now: new Date().toISOString(), resolveOwnership, policy });
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
  scanControl.stop = false;
  scanControl.rounds = 0;
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
    step('idle mix');
    const idle = options.idle === false ? undefined : await load(origin, mixOf(options.identities, false), options, headers);
    // The test scheduler runs a triggered scan inside the request: do not wait for the answer.
    const scanAnswer = fetch(`${origin}/api/machine-identity/sources/load/scan`, { method: 'POST', headers });
    for (let i = 0; i < 150; i++) {
      const running = await knex('scan_runs').where({ source_id: 'load', status: 'running' }).first();
      if (running && Number(running.seen) > 0) break;
      await sleep(200);
    }
    step('mix while the scan runs');
    const scanning = await load(origin, mixOf(options.identities, false), options, headers);
    step('peer mix while the scan runs');
    const peerFigures = await load(peer.url, mixOf(options.identities, true), options, {});
    const after = loadavg()[0];
    const scanRow = await knex('scan_runs').where({ source_id: 'load' }).whereNot({ id: 'seed' }).orderBy('started_at', 'desc').first();
    scanControl.stop = true;
    await scanAnswer.catch(() => undefined);
    return {
      database,
      options,
      seedSeconds,
      idle,
      scanning,
      peer: peerFigures,
      scanRanThroughout: scanRow?.status === 'running',
      scanRounds: scanControl.rounds,
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
  const windows: Array<[string, Measured]> = [
    ...(figures.idle ? [['Keyring, no scan', figures.idle] as [string, Measured]] : []),
    [`Keyring, scan running (${figures.scanRanThroughout ? `throughout, ${figures.scanRounds} full re-sighting rounds` : 'it ENDED before the load did'})`, figures.scanning],
    ['peer: node:http + knex SELECTs, same scan running', figures.peer],
  ];
  console.log('  request kind                              p50 ms   p99 ms  requests  errors   p99/peer');
  for (const [title, m] of windows) {
    console.log(`  ${title}`);
    for (const k of m.byKind) {
      const peerKind = figures.peer.byKind.find(o => o.kind === k.kind)!;
      console.log(
        `    ${k.kind.padEnd(38)} ${k.p50.toFixed(1).padStart(7)} ${k.p99.toFixed(1).padStart(8)} ${fmt(k.requests).padStart(9)} ${String(k.errors).padStart(7)} ${(k.p99 / Math.max(1, peerKind.p99)).toFixed(1).padStart(9)}`,
      );
    }
    console.log(
      `    ${'all (autocannon)'.padEnd(38)} ${String(m.p50).padStart(7)} ${String(m.p99).padStart(8)} ${fmt(m.requests).padStart(9)} ${String(m.errors).padStart(7)} ${(m.p99 / Math.max(1, figures.peer.p99)).toFixed(1).padStart(9)}   ${fmt(m.rps)} req/s`,
    );
  }
  console.log(
    `${database}: under load with a scan running, p99 ${figures.scanning.p99} ms (goal < 50 ms: ${figures.scanning.p99 < 50 ? 'met' : 'NOT met'}), ${figures.scanning.errors} errors (goal 0); peer p99 ${figures.peer.p99} ms`,
  );
}

export async function run(): Promise<void> {
  const options = loadOptionsFromEnv();
  await onEachDatabase(async (name, knex) => print(await measureLoad(name, knex, options)));
}
