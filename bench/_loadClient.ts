/**
 * The load generator of the load benchmark (bench/load.ts), in its own OS
 * process so that its event loop and CPU are not the servers': `runLoad`
 * forks this file, hands it one window (origin, mix, connections, seconds,
 * rate) and gets the figures back. The estate's shape (teams, types,
 * fingerprints) is defined here and seeded by load.ts, so both sides draw
 * the same identities.
 *
 * A window is closed-loop (autocannon: each client sends its next request
 * when the last is answered — the server's saturation, where latency is
 * connections ÷ throughput) or paced (`rate` requests/s over all clients,
 * one every 1/rate s, client after client, each on its own keep-alive
 * connection). A paced request is timed from when it was due, not when it
 * could be sent, so a slow answer also counts the wait of the requests it
 * held back (no coordinated omission). autocannon's own rate option is not
 * used: it sends each client's quota in a burst at the start of every second
 * and corrects latencies by a 1 ms interval.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Agent, get } from 'node:http';
import autocannon from 'autocannon';
import { identityId } from '../plugins/machine-identity-backend/src/database/identityId';

export const TEAMS = 50;
export const TYPES = ['tls-certificate', 'ssh-key', 'api-token'] as const;
export const fingerprintOf = (n: number) => createHash('sha256').update(`load-${n}`).digest('hex');

/** Latency and outcome of one window, overall (autocannon's) and per request kind (timed per response). */
export interface Measured {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  requests: number;
  byKind: Array<{ kind: string; p50: number; p99: number; requests: number; errors: number }>;
  /** p99 of the servers' event-loop delay during the window, ms (measured in their process). */
  loopDelayP99?: number;
  /** Identities the scan sighted per second during the window (measured in the servers' process). */
  scanSightingsPerSecond?: number;
  /**
   * Paced windows: how the answers over 50 ms spread over the window's seconds (by when the
   * request was due) — all of them, and how many of the window's seconds hold half of them.
   */
  slow?: { over50: number; secondsWithHalf: number; seconds: number; bySecond: Array<[epochSecond: number, over50: number]> };
}

/** One window of load. */
export interface LoadWindow {
  origin: string;
  /** The bare peer's query form instead of Keyring's API. */
  peer: boolean;
  /** Identities in the estate (ids 0 … total-1). */
  total: number;
  connections: number;
  seconds: number;
  /** Requests/s over all clients; absent: closed loop. */
  rate?: number;
  headers: Record<string, string>;
}

const CLIENT_FLAG = '--keyring-load-client';

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

/** One request of the mix: a path (drawn per request) and a kind to report it under. */
interface MixEntry {
  kind: string;
  path: (context: Record<string, any>) => string;
  /** Keeps what a later request of the same client needs (the next page's cursor). */
  keep?: (body: string, context: Record<string, any>) => void;
}

/**
 * The mix every client cycles through: the first urgency page and the page
 * after it (its cursor), an owner's page in urgency and in id order, a `q=`
 * search with one match and one with 2 % of the estate, four details.
 */
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

/** p50/p99 of each kind's times and the failures counted per kind. */
function byKindOf(times: Map<string, number[]>, failures: Map<string, number>): Measured['byKind'] {
  return [...times.keys()].map(kind => {
    const sorted = times.get(kind)!.sort((a, b) => a - b);
    return { kind, p50: percentile(sorted, 50), p99: percentile(sorted, 99), requests: sorted.length, errors: failures.get(kind)! };
  });
}

/** One GET on `agent`'s keep-alive connections: its status and body. */
function getOnce(agent: Agent, url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, headers }, response => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', chunk => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error('timed out after 10 s')));
  });
}

/**
 * The paced window: request i is due at start + i/rate and goes to client
 * i % connections (its own connection, its own place in the mix, clients
 * starting at different places); a client
 * still waiting for its last answer sends when it gets it, and the wait
 * counts in the latency.
 */
async function measurePaced(window: LoadWindow, rate: number): Promise<Measured> {
  const mix = mixOf(window.total, window.peer);
  const times = new Map<string, number[]>(mix.map(m => [m.kind, []]));
  const failures = new Map<string, number>(mix.map(m => [m.kind, 0]));
  const all: number[] = [];
  const slowBySecond = new Map<number, number>();
  let errors = 0;
  // Each client starts at its own place in the mix: in step, all would send the same kind in the same half second.
  const clients = Array.from({ length: window.connections }, (_, index) => ({
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
    step: index,
    context: {} as Record<string, any>,
    busy: Promise.resolve(),
  }));
  const count = Math.round(rate * window.seconds);
  // performance.timeOrigin can be minutes off the wall clock: read it once against Date.now().
  const wallClockAtZero = Date.now() - performance.now();
  const started = performance.now();
  const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)));
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    await sleep(due - performance.now());
    const client = clients[i % clients.length];
    const entry = mix[client.step++ % mix.length];
    client.busy = client.busy.then(async () => {
      try {
        const { status, body } = await getOnce(client.agent, window.origin + entry.path(client.context), window.headers);
        if (status >= 400) {
          failures.set(entry.kind, failures.get(entry.kind)! + 1);
          errors++;
        }
        entry.keep?.(body, client.context);
      } catch {
        failures.set(entry.kind, failures.get(entry.kind)! + 1);
        errors++;
      }
      const took = performance.now() - due;
      times.get(entry.kind)!.push(took);
      all.push(took);
      if (took > 50) {
        // By wall-clock second (both processes read the same clock), so the servers' timeline can be laid beside it.
        const second = Math.floor((wallClockAtZero + due) / 1000);
        slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
      }
    });
    pending.push(client.busy);
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.agent.destroy();
  all.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const slowCounts = [...slowBySecond.values()].sort((a, b) => b - a);
  const over50 = slowCounts.reduce((a, b) => a + b, 0);
  let secondsWithHalf = 0;
  for (let held = 0; held * 2 < over50; secondsWithHalf++) held += slowCounts[secondsWithHalf];
  return {
    p50: round(percentile(all, 50)),
    p99: round(percentile(all, 99)),
    rps: all.length / seconds,
    errors,
    requests: all.length,
    byKind: byKindOf(times, failures),
    slow: { over50, secondsWithHalf, seconds: window.seconds, bySecond: [...slowBySecond.entries()] },
  };
}

/** Runs one window in this process: paced when it has a rate, closed loop (autocannon) otherwise. */
async function measureHere(window: LoadWindow): Promise<Measured> {
  if (window.rate) return measurePaced(window, window.rate);
  const mix = mixOf(window.total, window.peer);
  const times = new Map<string, number[]>(mix.map(m => [m.kind, []]));
  const failures = new Map<string, number>(mix.map(m => [m.kind, 0]));
  const result = await autocannon({
    url: window.origin,
    connections: window.connections,
    duration: window.seconds,
    headers: window.headers,
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
    byKind: byKindOf(times, failures),
  };
}

/** Runs one window in a child process (this file, forked) and returns its figures. */
export function runLoad(window: LoadWindow): Promise<Measured> {
  const child = fork(__filename, [CLIENT_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<Measured>((resolve, reject) => {
    child.once('message', message => resolve(message as Measured));
    child.once('exit', code => reject(new Error(`load client exited (${code}) before answering`)));
    child.send(window);
  }).finally(() => child.kill());
}

if (process.argv.includes(CLIENT_FLAG)) {
  process.once('message', window => {
    measureHere(window as LoadWindow).then(
      figures => process.send!(figures, () => process.exit(0)),
      error => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
