/*
 * AWS discovery speed and memory.
 *
 * The AWS emulator (its own process) serves an account with 10,000 IAM users
 * (one access key each, every fifth user a second, inactive one; owner tags
 * on every third; a managed policy on every other). Keyring's aws-iam scanner
 * reads it with the real AWS SDK clients in a process of its own — for every
 * user ListAccessKeys, GetAccessKeyLastUsed per key, ListUserTags,
 * ListAttachedUserPolicies, ListUserPolicies and ListSSHPublicKeys, then
 * roles, server certificates, secrets and ACM — and its peak memory is its
 * own. Beside it in the same run, the peers:
 *   1. the Query API read without the SDK: fetch + Signature V4 + regular
 *      expressions, ListUsers pages then ListAccessKeys and
 *      GetAccessKeyLastUsed per user and key (the key inventory only);
 *   2. the AWS CLI (`aws iam list-users`, all pages), when it is installed.
 * Every request is signed and verified (SigV4) on loopback.
 *
 *   KEYRING_BENCH_AWS_USERS=10000
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const USERS = Number(process.env.KEYRING_BENCH_AWS_USERS ?? 10_000);
const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');
const fmt = (n: number) => n.toLocaleString('en-US');

function runJson(script: string, arg: string): any {
  const result = spawnSync(TSX, [join(ROOT, script), arg], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function startEmulator(): Promise<{ info: any; stop: () => void }> {
  const child = spawn(TSX, [join(ROOT, 'packages/cloud-emulators/src/aws/cli.ts'), '--users', String(USERS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolveLine(out.slice(0, nl));
    });
    child.once('exit', code => reject(new Error(`AWS emulator exited with ${code}`)));
  });
  return { info: JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

function awsCli(info: any): { ms: number; users: number; maxRssMb?: number } | string {
  const which = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' });
  if (which.status !== 0) return 'not installed';
  const timeBin = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : [];
  const args = ['iam', 'list-users', '--endpoint-url', info.endpoint, '--region', 'us-east-1', '--output', 'json', '--page-size', '100'];
  const started = Date.now();
  const result = spawnSync(timeBin[0] ?? 'aws', [...timeBin.slice(1), ...(timeBin.length ? ['aws'] : []), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, AWS_ACCESS_KEY_ID: info.accessKeyId, AWS_SECRET_ACCESS_KEY: info.secretAccessKey, AWS_PAGER: '' },
  });
  const ms = Date.now() - started;
  if (result.status !== 0) return `failed: ${result.stderr.slice(0, 200)}`;
  const rss = timeBin.length ? Number(result.stderr.trim().split('\n').pop()) / 1024 : undefined;
  return { ms, users: JSON.parse(result.stdout).Users.length, maxRssMb: rss };
}

/** Runs the AWS bench and prints its figures. */
export async function run() {
  console.log(`AWS account with ${fmt(USERS)} IAM users in the emulator (own process); load ${loadavg()[0].toFixed(1)}`);
  const emulator = await startEmulator();
  try {
    const keyring = runJson('bench/_awsKeyring.ts', JSON.stringify(emulator.info));
    const identities = Object.values(keyring.byType as Record<string, number>).reduce((a, b) => a + b, 0);
    console.log(
      `Keyring aws-iam scanner (AWS SDK): ${fmt(identities)} identities (${fmt(keyring.byType['service-account'] ?? 0)} users, ` +
        `${fmt(keyring.byType['api-token'] ?? 0)} access keys) in ${(keyring.ms / 1000).toFixed(1)} s = ${rate(keyring.byType['service-account'] ?? 0, keyring.ms)} users/s, ` +
        `${keyring.problems} problems, peak RSS ${Math.round(keyring.maxRssMb)} MB`,
    );
    const peer = runJson('bench/_awsPeer.ts', JSON.stringify(emulator.info));
    console.log(
      `Peer, Query API without the SDK (fetch + SigV4 + regex; keys only): ${fmt(peer.users)} users, ${fmt(peer.keys)} keys, ` +
        `${fmt(peer.calls)} calls in ${(peer.ms / 1000).toFixed(1)} s = ${rate(peer.users, peer.ms)} users/s, peak RSS ${Math.round(peer.maxRssMb)} MB`,
    );
    const cli = awsCli(emulator.info);
    console.log(
      typeof cli === 'string'
        ? `Peer, AWS CLI list-users: ${cli}`
        : `Peer, AWS CLI \`aws iam list-users\` (listing only, all pages): ${fmt(cli.users)} users in ${(cli.ms / 1000).toFixed(1)} s` +
            (cli.maxRssMb ? `, peak RSS ${Math.round(cli.maxRssMb)} MB` : ''),
    );
    console.log('Keyring makes 6 or more calls per user (keys, last use, tags, policies, SSH keys) to the peer\'s 2–3; compare per call, not per user.');
  } finally {
    emulator.stop();
  }
}
