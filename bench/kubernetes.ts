/*
 * Kubernetes discovery speed and memory.
 *
 * A Kubernetes API emulator (its own process) serves a fleet of Secrets
 * (default 50,000 in 500 namespaces: 60 % kubernetes.io/tls with a distinct
 * certificate each, 10 % CA bundles, 20 % service-account tokens, 10 % other).
 * Keyring's Kubernetes scanner reads it with the real @kubernetes/client-node
 * (paged LIST, 500 per page; RBAC, ServiceAccounts, webhooks too) in a process
 * of its own, so its peak memory is measured alone. Beside it, in the same
 * run, the peer: a plain paged LIST of the same Secrets as `kubectl get secrets
 * -A -o json --chunk-size=500` makes (kubectl is not installed here; same
 * pages, JSON parsed, every tls.crt written out) followed by `openssl pkcs7
 * -print_certs -text` over all the certificates (one openssl process parsing
 * them all). A second Keyring run with the same scanner (a scheduled re-scan of
 * the unchanged cluster) is timed too. The scanner is measured without the inventory database: this is
 * discovery, not storage (bench/inventory.ts measures writes).
 *
 *   KEYRING_BENCH_K8S_SECRETS=50000
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SECRETS = Number(process.env.KEYRING_BENCH_K8S_SECRETS ?? 50_000);
const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');
const mb = (n: number) => `${Math.round(n)} MB`;

function runJson(script: string, args: string[]): any {
  const result = spawnSync(TSX, [join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function startEmulator(): Promise<{ line: string; stop: () => void; info: any }> {
  const child = spawn(TSX, [join(ROOT, 'packages/cloud-emulators/src/kubernetes/cli.ts'), '--secrets', String(SECRETS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      if (out.includes('\n')) resolveLine(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', code => reject(new Error(`emulator exited with ${code}`)));
  });
  return { line, info: JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

export async function run() {
  const emulator = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'keyring-bench-k8s-'));
  try {
    const { fleet } = emulator.info;
    console.log(`${SECRETS.toLocaleString('en-US')} Secrets in ${fleet.namespaces} namespaces (${fleet.tlsSecrets} TLS, ${fleet.caBundleSecrets} CA bundles, ${fleet.tokenSecrets} tokens, ${fleet.otherSecrets} other), load average ${loadavg()[0].toFixed(1)} on 2 cores`);
    const keyring = runJson('bench/_kubernetesKeyring.ts', [emulator.line]);
    const pem = join(dir, 'tls.pem');
    const fetch = runJson('bench/_kubernetesPeer.ts', [emulator.line, pem]);
    const t = process.hrtime.bigint();
    const openssl = spawnSync('sh', ['-c', `openssl crl2pkcs7 -nocrl -certfile "${pem}" | openssl pkcs7 -print_certs -text -noout | grep -c 'Subject:'`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const opensslMs = Number(process.hrtime.bigint() - t) / 1e6;
    const parsed = Number(openssl.stdout.trim());
    const peerMs = fetch.ms + opensslMs;
    console.log(`  keyring kubernetes scanner: ${(keyring.ms / 1000).toFixed(1)} s  ${rate(SECRETS, keyring.ms)} Secrets/s, ${keyring.discoveries.toLocaleString('en-US')} discoveries (${Object.entries(keyring.byType).map(([k, v]) => `${v} ${k}`).join(', ')}), ${keyring.leafCertificates} distinct TLS leaves, ${keyring.problems} problems; peak heap ${mb(keyring.firstPeakHeapMb)}`);
    console.log(`  keyring warm re-scan (same scanner, unchanged cluster): ${(keyring.warmMs / 1000).toFixed(1)} s  ${rate(SECRETS, keyring.warmMs)} Secrets/s; peak heap over both runs ${mb(keyring.peakHeapMb)}, peak RSS ${mb(keyring.maxRssMb)}`);
    console.log(`  peer paged fetch (kubectl-style LIST, JSON): ${(fetch.ms / 1000).toFixed(1)} s, ${fetch.secrets.toLocaleString('en-US')} Secrets, peak RSS ${mb(fetch.maxRssMb)}`);
    console.log(`  peer openssl pkcs7 -print_certs -text: ${(opensslMs / 1000).toFixed(1)} s, ${parsed.toLocaleString('en-US')} certificates parsed (of ${fetch.certificates} written)`);
    console.log(`  peer total: ${(peerMs / 1000).toFixed(1)} s  ${rate(SECRETS, peerMs)} Secrets/s (certificates only; no tokens, RBAC or cert-manager)`);
    console.log(`  ratio keyring/peer time: ${(keyring.ms / peerMs).toFixed(2)}x; TLS leaves agree: ${keyring.leafCertificates === parsed}`);
  } finally {
    emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
