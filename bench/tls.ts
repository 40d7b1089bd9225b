/*
 * TLS endpoint discovery speed.
 *
 * Starts 1,000 TLS endpoints on loopback (250 addresses 127.0.30.0–249 × 4
 * ports, each address with its own EC leaf under a test intermediate CA) in a
 * child process, then scans them all with Keyring's TLS scanner (full chain,
 * both certificates parsed, trust checked against the test root given as
 * `trustedCaFiles` and against Node's public roots, discoveries built) and with
 * `nmap -Pn -n --script ssl-cert` (leaf only) on the same endpoints in the same
 * run, and prints endpoints/second for both and the ratio, and CPU per
 * endpoint: the scanner's main thread, its whole process, the endpoint
 * servers' process, and nmap's.
 *
 *   KEYRING_BENCH_TLS_ADDRESSES=250     loopback addresses (× 4 ports)
 *   KEYRING_BENCH_TLS_CONCURRENCY=64    Keyring scanner concurrency
 *   KEYRING_BENCH_TLS_WORKERS=          the source's `handshakeWorkers` (default: the scanner's
 *                                       default for this machine's cores; 0 = handshakes in process)
 *   KEYRING_BENCH_TLS_ROUNDS=3          rounds (Keyring, re-scan, nmap alternate); medians printed
 *   KEYRING_BENCH_TLS_NMAP_ARGS=-T4     nmap timing options (tried: adding --min-hostgroup 256
 *                                       --min-parallelism 64 did not make nmap faster here)
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ConfigReader } from '@backstage/config';
import type { MachineIdentityDiscovery, ScannerContext } from '@keyring/plugin-machine-identity-node';

const SERVE_FLAG = '--keyring-bench-tls-serve';
const ADDRESSES = Number(process.env.KEYRING_BENCH_TLS_ADDRESSES ?? 250);
const CONCURRENCY = Number(process.env.KEYRING_BENCH_TLS_CONCURRENCY ?? 64);
const WORKERS = process.env.KEYRING_BENCH_TLS_WORKERS ? Number(process.env.KEYRING_BENCH_TLS_WORKERS) : undefined;
const ROUNDS = Number(process.env.KEYRING_BENCH_TLS_ROUNDS ?? 3);
const NMAP_TIMING = (process.env.KEYRING_BENCH_TLS_NMAP_ARGS ?? '-T4').split(' ').filter(Boolean);

interface ServeRequest {
  ports: number[];
  endpoints: { host: string; key: string; cert: string }[];
}

/** Child process: serve every endpoint until told to stop. */
function serve() {
  process.once('message', async (req: ServeRequest) => {
    const servers: net.Server[] = [];
    for (const e of req.endpoints) {
      for (const port of req.ports) {
        const server = tls.createServer({ key: e.key, cert: e.cert }, s => s.end());
        server.on('tlsClientError', () => undefined);
        server.on('connection', s => s.on('error', () => undefined));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, e.host, resolve);
        });
        servers.push(server);
      }
    }
    process.send!({ ready: servers.length });
    process.once('message', () => {
      for (const s of servers) s.close();
      process.exit(0);
    });
  });
}

async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const s = net.createServer();
    await new Promise<void>(r => s.listen(0, '127.0.30.0', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise(r => s.close(r));
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

function context(config: object): ScannerContext {
  const noop = () => undefined;
  const logger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => logger };
  const problems: string[] = [];
  return Object.assign(
    {
      source: { id: 'bench', type: 'tls', config: new ConfigReader({ id: 'bench', type: 'tls', ...config }) },
      logger,
      signal: new AbortController().signal,
      reportProblem: (p: { message: string }) => problems.push(p.message),
      reportCovered: noop,
      reportProgress: noop,
      fingerprintSecret: () => '',
    },
    { problems },
  );
}

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) of a process or of one thread, in ms, from /proc. */
function procCpuMs(stat: string): number {
  const text = readFileSync(stat, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

function runNmap(ports: number[], lastAddress: number): Promise<{ ms: number; certs: number; open: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const args = ['-Pn', '-n', ...NMAP_TIMING, '--script', 'ssl-cert', '-p', ports.join(','), `127.0.30.0-${lastAddress}`, '-oX', '-'];
    // The shell's `times` prints its children's CPU (nmap's) after it exits.
    const child = spawn('sh', ['-c', 'nmap "$@" && times', 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('error', reject);
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`nmap exited with ${code}`));
      const ms = Date.now() - started;
      // `times`: the shell's user and system time, then its children's (`0m1.230s 0m0.450s`).
      const children = out.trim().split('\n').at(-1)!.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      const cpuMs = children ? (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000 : NaN;
      resolve({
        ms,
        certs: (out.match(/<script id="ssl-cert"/g) ?? []).length,
        open: (out.match(/<state state="open"/g) ?? []).length,
        cpuMs,
      });
    });
  });
}

/** Splits 127.0.30.0–(n-1) into CIDR blocks. */
function cidrs(n: number, ports: number[]): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < n) {
    let size = 256;
    while (size > 1 && (start % size !== 0 || start + size > n)) size /= 2;
    out.push(`127.0.30.${start}/${32 - Math.log2(size)}:${ports.join(',')}`);
    start += size;
  }
  return out;
}

export async function run(): Promise<void> {
  const { makeCertificate, makeTestPki } = await import('../plugins/machine-identity-backend-module-tls/src/__testUtils__/testPki');
  const { TlsScanner, defaultHandshakeWorkers } = await import('../plugins/machine-identity-backend-module-tls/src/TlsScanner');
  const workers = WORKERS ?? defaultHandshakeWorkers();
  const { CertificateCache } = await import('../plugins/machine-identity-node/src/certificates/CertificateCache');
  const genStarted = Date.now();
  const pki = await makeTestPki('Bench');
  const endpoints: ServeRequest['endpoints'] = [];
  for (let i = 0; i < ADDRESSES; i++) {
    const host = `127.0.30.${i}`;
    const leaf = await makeCertificate({ subject: `CN=svc-${i}.bench.example.test`, dnsNames: [`svc-${i}.bench.example.test`], ipAddresses: [host], issuer: pki.intermediate });
    endpoints.push({ host, key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
  }
  // The test root is the configured trust anchor, so `chainTrusted` is decided by real signatures.
  const trustDir = mkdtempSync(path.join(tmpdir(), 'keyring-bench-tls-'));
  const trustFile = path.join(trustDir, 'root.pem');
  writeFileSync(trustFile, pki.root.certPem);
  const ports = await freePorts(4);
  const total = ADDRESSES * ports.length;
  console.log(`Made ${ADDRESSES} leaf certificates in ${Date.now() - genStarted} ms; starting ${total} TLS endpoints on ${ports.length} ports…`);

  const child = fork(__filename, [SERVE_FLAG], { stdio: 'inherit' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', code => reject(new Error(`endpoint server exited (${code})`)));
      child.send({ ports, endpoints } satisfies ServeRequest);
    });

    const targets = cidrs(ADDRESSES, ports);
    // Warm-up (root store, JIT) on a few endpoints, not timed.
    for await (const _ of TlsScanner.create().scan(context({ targets: [`127.0.30.0:${ports[0]}`], handshakeWorkers: workers }))) void _;

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const mainThread = `/proc/${process.pid}/task/${process.pid}/stat`;
    const servers = `/proc/${child.pid}/stat`;
    const scanOnce = async (scanner: ReturnType<typeof TlsScanner.create>) => {
      const ctx = context({ targets, concurrency: CONCURRENCY, handshakeWorkers: workers, handshakeTimeout: { seconds: 10 }, trustedCaFiles: [trustFile] });
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      const mainBefore = procCpuMs(mainThread);
      const serversBefore = procCpuMs(servers);
      const found: MachineIdentityDiscovery[] = [];
      for await (const d of scanner.scan(ctx)) found.push(d);
      const ms = Date.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const leafSightings = found.filter(d => d.details?.chainPosition === 0);
      const leaves = new Set(leafSightings.map(d => d.location)).size;
      const trusted = leafSightings.filter(d => d.attributes.chainTrusted === true).length;
      return {
        ms,
        cpuMs: (cpu.user + cpu.system) / 1000,
        mainCpuMs: procCpuMs(mainThread) - mainBefore,
        serversCpuMs: procCpuMs(servers) - serversBefore,
        leaves,
        trusted,
        certificates: found.length,
        problems: (ctx as any).problems as string[],
        rate: (leaves / ms) * 1000,
      };
    };
    const nmapArgs = ['-Pn', '-n', ...NMAP_TIMING].join(' ');
    const rounds: { first: Awaited<ReturnType<typeof scanOnce>>; rescan: Awaited<ReturnType<typeof scanOnce>>; parsed: number; nmap: Awaited<ReturnType<typeof runNmap>> & { rate: number } }[] = [];
    // Keyring and nmap alternate, so load from other work on the machine falls on both.
    for (let round = 1; round <= ROUNDS; round++) {
      // A fresh scanner: its certificate cache starts empty (a first scan); then its re-scan.
      const cache = new CertificateCache();
      const scanner = TlsScanner.create({ certificateCache: cache });
      const first = await scanOnce(scanner);
      const parsed = cache.stats.misses;
      const rescan = await scanOnce(scanner);
      const n = await runNmap(ports, ADDRESSES - 1);
      const nmap = { ...n, rate: (n.certs / n.ms) * 1000 };
      rounds.push({ first, rescan, parsed, nmap });
      if (first.problems.length) console.log(`Sample problem: ${first.problems[0]}`);
      const perEndpoint = (cpuMs: number, n: number) => (cpuMs / n).toFixed(2);
      console.log(
        `round ${round}: Keyring ${first.leaves}/${total} endpoints (${first.trusted} chain-trusted), ${first.certificates} certificates in ${(first.ms / 1000).toFixed(2)} s = ${first.rate.toFixed(0)}/s ` +
          `(ms CPU per endpoint: ${perEndpoint(first.cpuMs, first.leaves)} process, ${perEndpoint(first.mainCpuMs, first.leaves)} main thread, servers ${perEndpoint(first.serversCpuMs, first.leaves)}; ` +
          `${parsed} distinct parsed, ${first.problems.length} problems); ` +
          `re-scan ${rescan.rate.toFixed(0)}/s (${perEndpoint(rescan.cpuMs, rescan.leaves)} ms CPU); ` +
          `nmap ${nmap.certs}/${total} (${nmap.open} open) in ${(nmap.ms / 1000).toFixed(2)} s = ${nmap.rate.toFixed(0)}/s (${perEndpoint(nmap.cpuMs, nmap.certs)} ms CPU)`,
      );
    }
    const keyringRate = median(rounds.map(r => r.first.rate));
    const rescanRate = median(rounds.map(r => r.rescan.rate));
    const nmapRate = median(rounds.map(r => r.nmap.rate));
    const ratio = median(rounds.map(r => r.first.rate / r.nmap.rate));
    const cpu = (xs: number[]) => median(xs).toFixed(2);
    console.log(`Medians of ${ROUNDS} round(s):`);
    console.log(
      `Keyring TLS scanner (first scan, full chain parsed, trust-checked, concurrency ${CONCURRENCY}, handshakeWorkers ${workers}): ${keyringRate.toFixed(0)} endpoints/s, ` +
        `${cpu(rounds.map(r => r.first.cpuMs / r.first.leaves))} ms CPU per endpoint (main thread ${cpu(rounds.map(r => r.first.mainCpuMs / r.first.leaves))})`,
    );
    console.log(
      `Keyring TLS scanner re-scan (same scanner, warm certificate cache): ${rescanRate.toFixed(0)} endpoints/s, ${cpu(rounds.map(r => r.rescan.cpuMs / r.rescan.leaves))} ms CPU per endpoint`,
    );
    console.log(`nmap ${nmapArgs} --script ssl-cert (leaf only): ${nmapRate.toFixed(0)} endpoints/s, ${cpu(rounds.map(r => r.nmap.cpuMs / r.nmap.certs))} ms CPU per endpoint`);
    console.log(`Ratio Keyring (first scan) / nmap: ${ratio.toFixed(2)}× ${ratio > 1 ? 'faster' : 'slower'} (median of per-round ratios)`);
  } finally {
    child.send('stop');
    await new Promise(r => child.once('exit', r));
    rmSync(trustDir, { recursive: true, force: true });
  }
}

if (process.argv.includes(SERVE_FLAG)) serve();
