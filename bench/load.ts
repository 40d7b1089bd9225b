/**
 * Load benchmark: the REST API under concurrent clients while a scan runs.
 * Seeds `KEYRING_BENCH_IDENTITIES` (default 300,000) identities through the
 * real write path (writeDiscoveries, batches of 1,000) into SQLite and
 * PostgreSQL, starts the real backend router (machine-identity plugin in a
 * test backend, HTTP on loopback), starts a scan that re-sights the estate
 * for as long as the load lasts, and drives each endpoint with autocannon
 * (`KEYRING_BENCH_LOAD_CONNECTIONS`, default 50, for
 * `KEYRING_BENCH_LOAD_SECONDS`, default 10): p50/p99 latency, req/s and
 * errors. The peer, measured in the same run on the same database and
 * machine, is a bare node:http server answering the owner page with one
 * knex SELECT of the same rows. The `q` search is measured again with its
 * indexes dropped, to show what the trigram/narrow indexes buy. Goal: p99
 * < 50 ms. It prints; it does not pass or fail. `KEYRING_BENCH_DEBUG=1`
 * prints each step with a timestamp.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { type MachineIdentityDiscovery, createScannerModule } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { DatabaseInventoryStores } from '../plugins/machine-identity-backend/src/database/DatabaseInventoryStores';
import { writeDiscoveries } from '../plugins/machine-identity-backend/src/inventory/writeDiscoveries';
import { onEachDatabase } from './_databases';

const TOTAL = Number(process.env.KEYRING_BENCH_IDENTITIES ?? 300_000);
const CONNECTIONS = Number(process.env.KEYRING_BENCH_LOAD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.KEYRING_BENCH_LOAD_SECONDS ?? 10);
const TEAMS = 50;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Identity `n`: owned by one of 50 teams through source metadata, a spread of expiry dates. */
function identity(n: number, now: number): MachineIdentityDiscovery {
  const team = n % TEAMS;
  return {
    type: (['tls-certificate', 'ssh-key', 'api-token'] as const)[n % 3],
    fingerprintSha256: createHash('sha256').update(`load-${n}`).digest('hex'),
    displayName: `svc-${n}.team-${team}.example.test`,
    attributes: { subject: `CN=svc-${n}.team-${team}.example.test, O=Load`, notAfter: new Date(now + ((n % 400) - 20) * 86_400_000).toISOString() },
    location: `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:443`,
    ownerHint: { owner: `group:default/team-${team}`, via: 'bench metadata' },
  };
}

/** The scan that runs under the load: re-sights the estate, round after round, until told to stop. */
const scanControl = { stop: false, rounds: 0, now: Date.now() };
const loadScannerModule = createScannerModule({
  moduleId: 'bench-load',
  scanner: {
    sourceTypes: ['bench-load'],
    async *scan() {
      while (!scanControl.stop) {
        for (let n = 0; n < TOTAL && !scanControl.stop; n++) {
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

interface Measured {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  requests: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Measured> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

/** The peer: node:http and one knex SELECT of the owner page, nothing else. */
async function startPeer(knex: Knex): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const owner = new URL(req.url ?? '/', 'http://peer').searchParams.get('owner') ?? '';
    knex('identities')
      .where({ owner })
      .orderBy('id')
      .limit(51)
      .then(
        rows => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ items: rows.slice(0, 50) }));
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

async function seed(knex: Knex): Promise<number> {
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const started = performance.now();
  await stores.scanRuns.create({ id: 'seed', sourceId: 'load', trigger: 'manual', startedAt: new Date().toISOString(), claimed: true });
  const resolveOwnership = () => ({ rule: 'fallback' as const, via: 'bench' });
  for (let start = 0; start < TOTAL; start += 1000) {
    const discoveries = [];
    for (let n = start; n < Math.min(TOTAL, start + 1000); n++) discoveries.push(identity(n, scanControl.now));
    await writeDiscoveries(stores, { scanId: 'seed', sourceId: 'load', discoveries, now: new Date().toISOString(), resolveOwnership });
  }
  await stores.scanRuns.update('seed', { status: 'succeeded', finishedAt: new Date().toISOString(), seen: TOTAL });
  return (performance.now() - started) / 1000;
}

async function benchDatabase(name: string, knex: Knex) {
  const seedSeconds = await seed(knex);
  if (name === 'PostgreSQL') await knex.raw('VACUUM ANALYZE');
  console.log(`${name}: seeded ${fmt(TOTAL)} identities through writeDiscoveries in ${seedSeconds.toFixed(1)} s`);

  scanControl.stop = false;
  scanControl.rounds = 0;
  const step = (what: string) => process.env.KEYRING_BENCH_DEBUG && console.error(`${new Date().toISOString()} ${name}: ${what}`);
  step('starting the backend');
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
  step('backend started');
  const peer = await startPeer(knex);
  try {
    const base = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}/api/machine-identity`;
    const headers = { authorization: mockCredentials.user.header() };
    const rare = Math.floor(TOTAL / 2);
    const endpoints: Array<[string, string]> = [
      ['GET /identities (page 1, urgency order)', '/identities?limit=50'],
      ['GET /identities?owner= (urgency order)', '/identities?owner=group:default/team-7&limit=50'],
      ['GET /identities?owner=&sort=id', '/identities?owner=group:default/team-7&sort=id&limit=50'],
      ['GET /identities?q= (one match)', `/identities?q=svc-${rare}.team&limit=50`],
      ['GET /identities?q= (2 % match)', '/identities?q=.team-7.&limit=50'],
      ['GET /summary', '/summary'],
    ];
    const phase = async (label: string) => {
      const rows: Array<[string, Measured]> = [];
      for (const [what, path] of endpoints) {
        step(`${label}: ${what}`);
        rows.push([what, await load(`${base}${path}`, headers)]);
      }
      rows.push(['peer: node:http + knex SELECT of the owner page', await load(`${peer.url}/?owner=group:default/team-7`)]);
      return rows;
    };

    const idle = await phase('idle');
    // The test scheduler runs a triggered scan inside the request: do not wait for the answer.
    const scanAnswer = fetch(`${base}/sources/load/scan`, { method: 'POST', headers });
    for (let i = 0; i < 100; i++) {
      const running = await knex('scan_runs').where({ source_id: 'load', status: 'running' }).first();
      if (running && Number(running.seen) > 0) break;
      await sleep(200);
    }
    const scanning = await phase('scanning');
    const scanRow = await knex('scan_runs').where({ source_id: 'load' }).whereNot({ id: 'seed' }).orderBy('started_at', 'desc').first();
    const scanWasRunning = scanRow?.status === 'running';
    scanControl.stop = true;
    await scanAnswer.catch(() => undefined);

    // The q search without its indexes, same data, same load, no scan.
    await knex.raw('DROP INDEX IF EXISTS identities_search_trgm_idx');
    await knex.raw('DROP INDEX IF EXISTS identities_fingerprint_pattern_idx');
    await knex.raw('DROP INDEX IF EXISTS identities_search_idx');
    if (name === 'PostgreSQL') await knex.raw('ANALYZE identities');
    const unindexed: Array<[string, Measured]> = [];
    for (const [what, path] of endpoints.filter(([w]) => w.includes('q='))) {
      unindexed.push([`${what}, no search index`, await load(`${base}${path}`, headers)]);
    }

    const print = (title: string, rows: Array<[string, Measured]>) => {
      const peerP99 = Math.max(1, rows.find(([w]) => w.startsWith('peer'))?.[1].p99 ?? idle[idle.length - 1][1].p99);
      console.log(`${name}, ${title}`);
      console.log('  endpoint                                             p50 ms   p99 ms     req/s  errors  p99/peer');
      for (const [label, m] of rows) {
        if (m.requests === 0) {
          console.log(`  ${label.padEnd(50)} no request completed within ${SECONDS} s (${m.errors} errors)`);
          continue;
        }
        console.log(
          `  ${label.padEnd(50)} ${String(m.p50).padStart(7)} ${String(m.p99).padStart(8)} ${fmt(m.rps).padStart(9)} ${String(m.errors).padStart(7)} ${(m.p99 / peerP99).toFixed(1).padStart(9)}`,
        );
      }
    };
    console.log(`${name}: ${fmt(TOTAL)} identities, ${CONNECTIONS} connections × ${SECONDS} s per endpoint on loopback`);
    print('no scan running', idle);
    print(
      `while a scan runs (${scanWasRunning ? `running throughout, ${scanControl.rounds} full re-sighting rounds` : 'it ENDED before the load did'})`,
      scanning,
    );
    print('no scan, search indexes dropped (ratio against the idle peer)', unindexed);
    for (const [title, rows] of [['idle', idle], ['scanning', scanning]] as const) {
      const keyring = rows.filter(([w]) => !w.startsWith('peer'));
      // An endpoint that completed nothing counts as slower than the whole window.
      const worst = Math.max(...keyring.map(([, m]) => (m.requests === 0 ? SECONDS * 1000 : m.p99)));
      const errors = keyring.reduce((sum, [, m]) => sum + m.errors, 0);
      console.log(`${name} ${title}: worst Keyring p99 ${worst} ms (goal < 50 ms: ${worst < 50 ? 'met' : 'NOT met'}), ${errors} errors`);
    }
  } finally {
    scanControl.stop = true;
    // Requests autocannon gave up on are still being answered: let them drain before the database goes.
    await sleep(3000);
    await new Promise(resolve => peer.server.close(resolve));
    await backend.stop();
  }
}

export async function run(): Promise<void> {
  await onEachDatabase(benchDatabase);
}
