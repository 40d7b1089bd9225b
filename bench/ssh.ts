/*
 * SSH key discovery speed.
 *
 * 1. Parse an authorized_keys file of 30,000 lines (ed25519, ECDSA P-256/384/521,
 *    RSA 2048/3072, DSA, an OpenSSH certificate, a FIDO key; options such as
 *    from=, command= with quoted spaces and commas, restrict, principals=) with
 *    Keyring's parser, and with the full ssh-files scanner (discoveries built,
 *    the way a scan emits them); beside `ssh-keygen -E sha256 -lf` on the same
 *    file in the same run. Both read the file from disk and fingerprint every key.
 * 2. Host-key fetch rate against a local sshd on 127.0.0.1 (every key type the
 *    server offers, one key exchange per type), beside `ssh-keyscan` fetching the
 *    same key types from the same endpoint.
 *
 *   KEYRING_BENCH_SSH_LINES=30000     authorized_keys lines
 *   KEYRING_BENCH_SSH_FETCHES=200     host-key fetches per tool
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { parseSshKeyFileText } from '../plugins/machine-identity-backend-module-ssh/src/parsing/parseSshKeyFile';
import { SshFilesScanner } from '../plugins/machine-identity-backend-module-ssh/src/files/SshFilesScanner';
import { SshHostsScanner } from '../plugins/machine-identity-backend-module-ssh/src/hosts/SshHostsScanner';
import type { MachineIdentityScanner, ScannerContext } from '@keyring/plugin-machine-identity-node';

const LINES = Number(process.env.KEYRING_BENCH_SSH_LINES ?? 30_000);
const FETCHES = Number(process.env.KEYRING_BENCH_SSH_FETCHES ?? 200);
const CORPORA = resolve(__dirname, '../../shared/corpora');

function keygen(dir: string, name: string, type: string, bits?: number): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path, '-C', `${name}@bench`, ...(bits ? ['-b', String(bits)] : [])]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildAuthorizedKeys(dir: string, lines: number): string {
  const pool: string[] = [];
  for (let i = 0; i < 24; i++) pool.push(keygen(dir, `ed${i}`, 'ed25519'));
  for (const bits of [256, 384, 521]) for (let i = 0; i < 3; i++) pool.push(keygen(dir, `ec${bits}_${i}`, 'ecdsa', bits));
  for (let i = 0; i < 6; i++) pool.push(keygen(dir, `rsa2048_${i}`, 'rsa', 2048));
  for (let i = 0; i < 3; i++) pool.push(keygen(dir, `rsa3072_${i}`, 'rsa', 3072));
  pool.push(keygen(dir, 'dsa', 'dsa'));
  keygen(dir, 'ca', 'ed25519');
  execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'bench-cert', '-n', 'deploy', join(dir, 'ed0.pub')]);
  pool.push(readFileSync(join(dir, 'ed0-cert.pub'), 'utf8').trim());
  pool.push(readFileSync(join(CORPORA, 'openssh-portable/sshkey-testdata/ed25519_sk1.pub'), 'utf8').trim());
  const options = [
    '',
    '',
    'restrict ',
    'from="10.0.0.0/8,192.168.1.*",no-agent-forwarding ',
    'command="/usr/local/bin/backup --target \\"db, primary\\"",no-pty ',
    'restrict,pty,command="nethack" ',
    'cert-authority,principals="deploy,ops" ',
    'expiry-time="20301231",environment="TEAM=payments ops" ',
  ];
  const next = random(42);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const key = pool[Math.floor(next() * pool.length)];
    const option = options[Math.floor(next() * options.length)];
    out.push(`${option}${key} owner=team-${i % 50} line-${i}`);
  }
  const path = join(dir, 'authorized_keys');
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

function context(scannerSource: Record<string, unknown>, problems: string[]): ScannerContext {
  const noop = () => {};
  const logger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => logger };
  return {
    source: { id: 'bench', type: String(scannerSource.type), config: new ConfigReader({ id: 'bench', ...scannerSource }) },
    logger,
    signal: new AbortController().signal,
    reportProblem: p => problems.push(p.message),
    reportCovered: noop,
    reportProgress: noop,
    fingerprintSecret: () => '',
  };
}

async function drain(scanner: MachineIdentityScanner, ctx: ScannerContext): Promise<number> {
  let n = 0;
  for await (const _ of scanner.scan(ctx)) n++;
  return n;
}

function best<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let ms = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    result = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms, result };
}

async function bestAsync<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let ms = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    result = await fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms, result };
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');

async function benchParse(dir: string) {
  const path = buildAuthorizedKeys(dir, LINES);
  const ours = best(3, () => parseSshKeyFileText(readFileSync(path, 'utf8'), 'authorized_keys'));
  if (ours.result.entries.length !== LINES) throw new Error(`parsed ${ours.result.entries.length} of ${LINES} lines`);
  const problems: string[] = [];
  const scanner = SshFilesScanner.create({ localHostname: 'bench' });
  const scan = await bestAsync(3, () => drain(scanner, context({ type: 'ssh-files', paths: [path] }, problems)));
  const keygen = best(3, () => execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', path], { maxBuffer: 64 << 20, encoding: 'utf8' }));
  const keygenLines = keygen.result.trim().split('\n').length;
  // Same answers: every fingerprint ssh-keygen printed, in order.
  const theirs = keygen.result.trim().split('\n').map(l => l.split(' ')[1]);
  const mine = ours.result.entries.map(e => e.entry.key.openSshFingerprint);
  const agree = theirs.length === mine.length && theirs.every((fp, i) => fp === mine[i]);
  console.log(`authorized_keys parse, ${LINES.toLocaleString('en-US')} lines (${(readFileSync(path).length / 1e6).toFixed(1)} MB), best of 3:`);
  console.log(`  keyring parser:        ${ours.ms.toFixed(0)} ms  ${rate(LINES, ours.ms)} lines/s`);
  console.log(`  keyring ssh-files scan: ${scan.ms.toFixed(0)} ms  ${rate(scan.result, scan.ms)} lines/s (${scan.result} discoveries, ${problems.length} problems)`);
  console.log(`  ssh-keygen -lf:        ${keygen.ms.toFixed(0)} ms  ${rate(keygenLines, keygen.ms)} lines/s`);
  console.log(`  ratio parser/ssh-keygen: ${(keygen.ms / ours.ms).toFixed(2)}x, scan/ssh-keygen: ${(keygen.ms / scan.ms).toFixed(2)}x; fingerprints agree: ${agree}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

async function benchHostKeys(dir: string) {
  if (process.getuid?.() !== 0) {
    console.log('host-key fetch: skipped (sshd needs root)');
    return;
  }
  const sshdDir = join(dir, 'sshd');
  mkdirSync(sshdDir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  const types = ['ed25519', 'ecdsa', 'rsa'];
  for (const t of types) keygen(sshdDir, `host_${t}`, t);
  const port = await freePort();
  const config = join(sshdDir, 'sshd_config');
  writeFileSync(
    config,
    [...types.map(t => `HostKey ${join(sshdDir, `host_${t}`)}`), 'ListenAddress 127.0.0.1', 'PidFile none', 'UsePAM no', 'MaxStartups 1000', 'LogLevel ERROR', ''].join('\n'),
  );
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    for (let i = 0; i < 50; i++) {
      if (spawnSync('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1'], { encoding: 'utf8' }).stdout.includes('ssh-ed25519')) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const targets = Array.from({ length: FETCHES }, () => `127.0.0.1:${port}`);
    const problems: string[] = [];
    const scanner = SshHostsScanner.create();
    const ours = await bestAsync(1, () => drain(scanner, context({ type: 'ssh-hosts', targets, concurrency: 16 }, problems)));
    const hostsFile = join(sshdDir, 'hosts');
    writeFileSync(hostsFile, `${targets.map(() => '127.0.0.1').join('\n')}\n`);
    const keyscan = best(1, () =>
      spawnSync('ssh-keyscan', ['-T', '10', '-p', String(port), '-t', 'ed25519,ecdsa,rsa', '-f', hostsFile], { encoding: 'utf8', maxBuffer: 64 << 20 }),
    );
    const keyscanKeys = keyscan.result.stdout.split('\n').filter(l => /^\[?127\.0\.0\.1\]?(:\d+)? /.test(l)).length;
    console.log(`sshd host-key fetch, ${FETCHES} fetches of 127.0.0.1:${port} (3 key types each):`);
    console.log(`  keyring ssh-hosts (ssh2, concurrency 16): ${ours.ms.toFixed(0)} ms  ${rate(FETCHES, ours.ms)} endpoints/s, ${ours.result} keys, ${problems.length} problems`);
    console.log(`  ssh-keyscan -T 10 -t ed25519,ecdsa,rsa:    ${keyscan.ms.toFixed(0)} ms  ${rate(FETCHES, keyscan.ms)} endpoints/s, ${keyscanKeys} keys`);
    console.log(`  ratio keyring/ssh-keyscan: ${(keyscan.ms / ours.ms).toFixed(2)}x`);
  } finally {
    sshd.kill('SIGTERM');
  }
}

/** Prints SSH parse and host-key fetch figures beside ssh-keygen and ssh-keyscan. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyring-bench-ssh-'));
  try {
    await benchParse(dir);
    await benchHostKeys(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) {
  run().catch(e => {
    console.error(e);
    process.exitCode = 1;
  });
}
