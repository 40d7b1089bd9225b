import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScanProblem,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';

/** Test helpers: real ssh-keygen and sshd, and a recording scanner context. */

export function tempDir(prefix = 'keyring-ssh-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** What `ssh-keygen -E sha256 -lf` prints for each key of a file. */
export interface KeygenFingerprint {
  bits: number;
  sha256: string;
  comment: string;
  label: string;
}

export function sshKeygenFingerprints(file: string): KeygenFingerprint[] {
  const out = execFileSync('ssh-keygen', ['-E', 'sha256', '-lf', file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map(line => {
      const m = /^(\d+) (SHA256:\S+) ([\s\S]*) \(([A-Z0-9-]+)\)$/.exec(line);
      if (!m) throw new Error(`unexpected ssh-keygen output: ${line}`);
      // ssh-keygen keeps the CR of CRLF files in the comment; Keyring drops it.
      return { bits: Number(m[1]), sha256: m[2], comment: m[3].replace(/\r$/, ''), label: m[4] };
    });
}

/** Generates a key pair with ssh-keygen; returns the public key line and its path. */
export function generateKey(
  dir: string,
  name: string,
  type: string,
  options: { bits?: number; comment?: string } = {},
): { publicKeyPath: string; privateKeyPath: string; line: string } {
  mkdirSync(dir, { recursive: true });
  const privateKeyPath = join(dir, name);
  const args = ['-q', '-t', type, '-N', '', '-f', privateKeyPath, '-C', options.comment ?? ''];
  if (options.bits) args.push('-b', String(options.bits));
  execFileSync('ssh-keygen', args);
  const publicKeyPath = `${privateKeyPath}.pub`;
  return { publicKeyPath, privateKeyPath, line: readFileSync(publicKeyPath, 'utf8').trim() };
}

/** Signs `publicKeyPath` with the CA key; returns the certificate line. */
export function signCertificate(
  caPrivateKeyPath: string,
  publicKeyPath: string,
  options: { identity: string; principals: string[]; host?: boolean; validity?: string },
): { certificatePath: string; line: string } {
  const args = ['-q', '-s', caPrivateKeyPath, '-I', options.identity, '-n', options.principals.join(',')];
  if (options.host) args.push('-h');
  if (options.validity) args.push('-V', options.validity);
  args.push(publicKeyPath);
  execFileSync('ssh-keygen', args);
  const certificatePath = publicKeyPath.replace(/\.pub$/, '-cert.pub');
  return { certificatePath, line: readFileSync(certificatePath, 'utf8').trim() };
}

/** A free TCP port on 127.0.0.1 (closed again). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** A real OpenSSH sshd on a loopback port, with host keys made for it. */
export interface TestSshd {
  port: number;
  hostKeyPublicPaths: string[];
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts sshd on a free loopback port. With `authorizedKeysFile`, public key
 * logins are checked against that file (StrictModes off: test files live
 * under the world-writable tmpdir).
 */
export async function startSshd(
  dir: string,
  types: string[] = ['ed25519', 'ecdsa', 'rsa'],
  options: { authorizedKeysFile?: string } = {},
): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  const hostKeys = types.map(type => generateKey(dir, `ssh_host_${type}_key`, type, { comment: `host-${type}` }));
  const port = await freePort();
  const configPath = join(dir, 'sshd_config');
  writeFileSync(
    configPath,
    [
      ...hostKeys.map(k => `HostKey ${k.privateKeyPath}`),
      'ListenAddress 127.0.0.1',
      'PidFile none',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${options.authorizedKeysFile ?? join(dir, 'none')}`,
      ...(options.authorizedKeysFile ? ['StrictModes no'] : []),
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configPath, '-p', String(port), '-o', 'PidFile=none'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${output}`)), 10_000);
    const check = () => {
      if (output.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}: ${output}`));
    });
  });
  return {
    port,
    hostKeyPublicPaths: hostKeys.map(k => k.publicKeyPath),
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The outcome of running a scanner once. */
export interface ScanOutcome {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  /** Scopes reported with `reportCovered`, in order. */
  covered: string[];
  logs: string[];
}

/** Runs a scanner against a source config, recording discoveries and problems. */
export async function runScanner(
  scanner: MachineIdentityScanner,
  source: { id?: string; type: string } & Record<string, unknown>,
  signal: AbortSignal = new AbortController().signal,
): Promise<ScanOutcome> {
  const outcome: ScanOutcome = { discoveries: [], problems: [], covered: [], logs: [] };
  const logger = mockServices.logger.mock();
  (logger.info as any).mockImplementation((message: string) => outcome.logs.push(message));
  const context: ScannerContext = {
    source: { id: source.id ?? 'test-source', type: source.type, config: new ConfigReader({ id: 'test-source', ...source }) },
    logger,
    signal,
    reportProblem: problem => outcome.problems.push(problem),
    reportCovered: scope => outcome.covered.push(scope),
    reportProgress: () => {},
    fingerprintSecret: () => {
      throw new Error('SSH scanners must not fingerprint secrets');
    },
  };
  for await (const discovery of scanner.scan(context)) outcome.discoveries.push(discovery);
  return outcome;
}

/** Whether a public key login as `user` with `privateKeyPath` succeeds against a test sshd (runs `true`). */
export function sshLoginWorks(port: number, privateKeyPath: string, user = 'root'): boolean {
  try {
    execFileSync(
      'ssh',
      [
        '-i', privateKeyPath,
        '-p', String(port),
        '-o', 'BatchMode=yes',
        '-o', 'IdentitiesOnly=yes',
        '-o', 'StrictHostKeyChecking=no',
        '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'ConnectTimeout=5',
        '-o', 'LogLevel=ERROR',
        `${user}@127.0.0.1`,
        'true',
      ],
      { stdio: 'pipe', timeout: 15_000 },
    );
    return true;
  } catch {
    return false;
  }
}
