/*
 * TLS endpoint discovery speed.
 *
 * Starts 1,000 TLS endpoints on loopback (250 addresses 127.0.30.0–249 × 4
 * ports, each address with its own EC leaf under a test intermediate CA) in a
 * child process, then scans them all with Keyring's TLS scanner (full chain,
 * both certificates parsed, trust checked, discoveries built) and with
 * `nmap -Pn -n --script ssl-cert` (leaf only) on the same endpoints in the same
 * run, and prints endpoints/second for both and the ratio.
 *
 *   KEYRING_BENCH_TLS_ADDRESSES=250     loopback addresses (× 4 ports)
 *   KEYRING_BENCH_TLS_CONCURRENCY=64    Keyring scanner concurrency
 *   KEYRING_BENCH_TLS_NMAP_ARGS=-T4     nmap timing options (tried: adding --min-hostgroup 256
 *                                       --min-parallelism 64 did not make nmap faster here)
 */
import { fork, spawn } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { ConfigReader } from '@backstage/config';
import type { MachineIdentityDiscovery, ScannerContext } from '@keyring/plugin-machine-identity-node';

const SERVE_FLAG = '--keyring-bench-tls-serve';
const ADDRESSES = Number(process.env.KEYRING_BENCH_TLS_ADDRESSES ?? 250);
const CONCURRENCY = Number(process.env.KEYRING_BENCH_TLS_CONCURRENCY ?? 64);
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
      reportProgress: noop,
      fingerprintSecret: () => '',
    },
    { problems },
  );
}

function runNmap(ports: number[], lastAddress: number): Promise<{ ms: number; certs: number; open: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const args = ['-Pn', '-n', ...NMAP_TIMING, '--script', 'ssl-cert', '-p', ports.join(','), `127.0.30.0-${lastAddress}`, '-oX', '-'];
    const child = spawn('nmap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('error', reject);
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`nmap exited with ${code}`));
      resolve({
        ms: Date.now() - started,
        certs: (out.match(/<script id="ssl-cert"/g) ?? []).length,
        open: (out.match(/<state state="open"/g) ?? []).length,
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
  const { TlsScanner } = await import('../plugins/machine-identity-backend-module-tls/src/TlsScanner');
  const { CertificateCache } = await import('../plugins/machine-identity-backend-module-tls/src/parsing/CertificateCache');
  const genStarted = Date.now();
  const pki = await makeTestPki('Bench');
  const endpoints: ServeRequest['endpoints'] = [];
  for (let i = 0; i < ADDRESSES; i++) {
    const host = `127.0.30.${i}`;
    const leaf = await makeCertificate({ subject: `CN=svc-${i}.bench.example.test`, dnsNames: [`svc-${i}.bench.example.test`], ipAddresses: [host], issuer: pki.intermediate });
    endpoints.push({ host, key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
  }
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
    for await (const _ of TlsScanner.create().scan(context({ targets: [`127.0.30.0:${ports[0]}`] }))) void _;

    const ctx = context({ targets, concurrency: CONCURRENCY, handshakeTimeout: { seconds: 10 } });
    // A fresh scanner: its certificate cache starts empty (a first scan).
    const cache = new CertificateCache();
    const scanner = TlsScanner.create({ certificateCache: cache });
    const started = Date.now();
    const found: MachineIdentityDiscovery[] = [];
    for await (const d of scanner.scan(ctx)) found.push(d);
    const keyringMs = Date.now() - started;
    const firstScanParsed = cache.stats.misses;
    // A re-scan by the same scanner, as the next scheduled run would do.
    const rescanCtx = context({ targets, concurrency: CONCURRENCY, handshakeTimeout: { seconds: 10 } });
    const rescanStarted = Date.now();
    let rescanFound = 0;
    for await (const d of scanner.scan(rescanCtx)) rescanFound += d.details?.chainPosition === 0 ? 1 : 0;
    const rescanMs = Date.now() - rescanStarted;
    const leaves = new Set(found.filter(d => d.details?.chainPosition === 0).map(d => d.location)).size;
    const problems = (ctx as any).problems as string[];

    const nmap = await runNmap(ports, ADDRESSES - 1);

    const keyringRate = (leaves / keyringMs) * 1000;
    const nmapRate = (nmap.certs / nmap.ms) * 1000;
    if (problems.length) console.log(`Sample problem: ${problems[0]}`);
    console.log(`Keyring TLS scanner: ${leaves}/${total} endpoints, ${found.length} certificates (leaf + intermediate, parsed, trust-checked) in ${(keyringMs / 1000).toFixed(2)} s = ${keyringRate.toFixed(0)} endpoints/s (concurrency ${CONCURRENCY}, ${problems.length} problems)`);
    console.log(`  distinct certificates parsed: ${firstScanParsed} of ${found.length} seen (${ADDRESSES} leaves each served on ${ports.length} ports, one shared intermediate)`);
    console.log(`  re-scan, same scanner (warm certificate cache): ${rescanFound} endpoints in ${(rescanMs / 1000).toFixed(2)} s = ${((rescanFound / rescanMs) * 1000).toFixed(0)} endpoints/s`);
    console.log(`nmap ${['-Pn', '-n', ...NMAP_TIMING].join(' ')} --script ssl-cert: ${nmap.certs}/${total} endpoints (${nmap.open} open ports, leaf only) in ${(nmap.ms / 1000).toFixed(2)} s = ${nmapRate.toFixed(0)} endpoints/s`);
    console.log(`Ratio Keyring (first scan) / nmap: ${(keyringRate / nmapRate).toFixed(2)}× ${keyringRate > nmapRate ? 'faster' : 'slower'}`);
  } finally {
    child.send('stop');
    await new Promise(r => child.once('exit', r));
  }
}

if (process.argv.includes(SERVE_FLAG)) serve();
