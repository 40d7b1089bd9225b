import { Socket, type LookupFunction } from 'node:net';
import { Client } from 'ssh2';
import { ADDRESS_NOT_ALLOWED } from '@keyring/plugin-machine-identity-node';

/** Host key algorithms grouped by key: the RSA signature variants share one key. */
const HOST_KEY_FAMILIES: readonly (readonly string[])[] = [
  ['ssh-ed25519'],
  ['ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  ['ssh-dss'],
];
const ALL_ALGORITHMS = HOST_KEY_FAMILIES.flat();

/** Timeouts and cancellation for one endpoint. */
export interface FetchHostKeysOptions {
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  signal?: AbortSignal;
  /** Name resolution for hostnames (an `AddressPolicy` lookup refuses addresses the source may not reach). */
  lookup?: LookupFunction;
}

/** The host keys one sshd offered. */
export interface HostKeyFetchResult {
  /** Public key blobs, one per key the server holds, with the algorithm that fetched it. */
  keys: Array<{ algorithm: string; blob: Buffer }>;
  /** Host key algorithms the server listed in its KEXINIT. */
  offered?: string[];
  /** The server's identification string, e.g. `SSH-2.0-OpenSSH_9.2p1`. */
  serverVersion?: string;
  /** Set when no TCP connection could be made (refused, unreachable, timed out). */
  connectError?: string;
  /**
   * Whether the host refused the connection (nothing listens: positive evidence)
   * rather than giving no answer (a timeout or no route: no evidence at all).
   */
  refused?: boolean;
  /** Failures after the TCP connection was made (the port is open). */
  errors: string[];
}

class ConnectError extends Error {
  constructor(
    message: string,
    readonly refused = false,
  ) {
    super(message);
  }
}

function connectTcp(host: string, port: number, options: FetchHostKeysOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const fail = (message: string) => {
      socket.destroy();
      options.signal?.removeEventListener('abort', onAbort);
      reject(new ConnectError(message, message === 'ECONNREFUSED'));
    };
    const onAbort = () => fail('aborted');
    if (options.signal?.aborted) {
      fail('aborted');
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(options.connectTimeoutMs, () =>
      fail(`connect timed out after ${options.connectTimeoutMs} ms`),
    );
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code === ADDRESS_NOT_ALLOWED ? e.message : (e.code ?? e.message)));
    socket.connect({ port, host, lookup: options.lookup }, () => {
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      options.signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
  });
}

/**
 * One SSH key exchange restricted to `algorithms`. Resolves once the key
 * exchange has finished — so the server proved it holds the key — and
 * disconnects before any authentication request.
 */
async function fetchOnce(
  host: string,
  port: number,
  algorithms: string[],
  options: FetchHostKeysOptions,
): Promise<{ algorithm: string; blob: Buffer; offered?: string[]; serverVersion?: string }> {
  const socket = await connectTcp(host, port, options);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let blob: Buffer | undefined;
    let offered: string[] | undefined;
    let serverVersion: string | undefined;
    let settled = false;
    const onAbort = () => finish(new Error('aborted'));
    const finish = (error?: Error, algorithm?: string) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      client.end();
      socket.destroy();
      if (error) reject(Object.assign(error, { offered, serverVersion }));
      else resolve({ algorithm: algorithm!, blob: blob!, offered, serverVersion });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('handshake', negotiated => {
      if (blob) finish(undefined, negotiated.serverHostKey);
      else finish(new Error('key exchange finished without a host key'));
    });
    client.on('error', error => finish(error));
    client.on('close', () => finish(new Error('connection closed during the key exchange')));
    client.connect({
      sock: socket,
      host,
      port,
      username: 'keyring-host-key-scan',
      readyTimeout: options.handshakeTimeoutMs,
      algorithms: { serverHostKey: algorithms as any },
      hostVerifier: (key: Buffer) => {
        blob = Buffer.from(key);
        return true;
      },
      debug: (message: string) => {
        const list = /^Handshake: \(remote\) Host key format: (.*)$/.exec(message);
        if (list) offered = list[1].split(',').filter(Boolean);
        const ident = /^Remote ident: '(.*)'$/.exec(message);
        if (ident) serverVersion = ident[1];
      },
    });
  });
}

/**
 * Fetches every host key an sshd offers over the SSH protocol (ssh2): a first
 * key exchange learns the server's host key algorithms, then one key exchange
 * per further key type. Never authenticates. Never throws: failures are in
 * the result.
 */
export async function fetchHostKeys(
  host: string,
  port: number,
  options: FetchHostKeysOptions,
): Promise<HostKeyFetchResult> {
  const result: HostKeyFetchResult = { keys: [], errors: [] };
  const fetched = new Set<readonly string[]>();
  const familyOf = (algorithm: string) => HOST_KEY_FAMILIES.find(f => f.includes(algorithm));
  try {
    const first = await fetchOnce(host, port, ALL_ALGORITHMS, options);
    result.offered = first.offered;
    result.serverVersion = first.serverVersion;
    result.keys.push({ algorithm: first.algorithm, blob: first.blob });
    const family = familyOf(first.algorithm);
    if (family) fetched.add(family);
  } catch (e) {
    const error = e as Error & { offered?: string[]; serverVersion?: string };
    if (error instanceof ConnectError) {
      result.connectError = error.message;
      result.refused = error.refused;
      return result;
    }
    result.offered = error.offered;
    result.serverVersion = error.serverVersion;
    result.errors.push(error.message);
    return result;
  }
  for (const family of HOST_KEY_FAMILIES) {
    if (fetched.has(family) || options.signal?.aborted) continue;
    const algorithms = result.offered ? family.filter(a => result.offered!.includes(a)) : [...family];
    if (algorithms.length === 0) continue;
    try {
      const next = await fetchOnce(host, port, algorithms, options);
      result.keys.push({ algorithm: next.algorithm, blob: next.blob });
    } catch (e) {
      const message = (e as Error).message;
      // Without the server's list, trying a type it lacks is expected to fail.
      if (!result.offered && /no matching host key format/i.test(message)) continue;
      result.errors.push(`${algorithms[0]}: ${message}`);
    }
  }
  return result;
}
