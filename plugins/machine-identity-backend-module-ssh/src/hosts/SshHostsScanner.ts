import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { InputError } from '@backstage/errors';
import {
  AddressPolicy,
  checkEndpointCap,
  inShard,
  mapConcurrent,
  readOptionalDurationMs,
  type MachineIdentityDiscovery,
  type MachineIdentityScanner,
  type ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import { parseSshKeyBlob } from '../parsing/parseSshKeyBlob';
import { sshKeyAttributes, sshKeyDisplayName } from '../toDiscovery';
import { fetchHostKeys, type HostKeyFetchResult } from './fetchHostKeys';
import { formatEndpoint, parseSshTargets, type SshTarget } from './parseSshTargets';

/** Source type served by {@link SshHostsScanner}. */
export const SSH_HOSTS_SOURCE_TYPE = 'ssh-hosts';

const DEFAULT_CONCURRENCY = 32;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Discovers sshd host keys over the SSH protocol for the source's `targets`
 * (`host:port` lists and CIDR ranges with ports). One observation per host
 * key at `host:port`. Never authenticates.
 */
export class SshHostsScanner implements MachineIdentityScanner {
  readonly sourceTypes = [SSH_HOSTS_SOURCE_TYPE] as const;

  private constructor() {}

  static create(): SshHostsScanner {
    return new SshHostsScanner();
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const { config, id } = context.source;
    const targets = parseSshTargets(config.getStringArray('targets'));
    checkEndpointCap(config, targets.count);
    const addresses = AddressPolicy.fromConfig(config);
    for (const target of targets) {
      if (!target.fromRange && isIP(target.host) && !addresses.allows(target.host)) {
        throw new InputError(`Source ${id}: SSH target ${target.host}: ${addresses.why(target.host)}`);
      }
    }
    let skipped = 0;
    const allowed = {
      *[Symbol.iterator]() {
        for (const target of targets) {
          // A sharded source's run connects to (and covers) only its shard's hosts.
          if (!inShard(target.host, context.shard)) continue;
          if (isIP(target.host) && !addresses.allows(target.host)) skipped++;
          else yield target;
        }
      },
    };
    const concurrency = config.getOptionalNumber('concurrency') ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InputError(`Source ${id}: concurrency must be a positive integer`);
    }
    // One listener per connection in flight: a local signal avoids the
    // listener limit warning on the run's signal.
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const onAbort = () => local.abort();
    context.signal.addEventListener('abort', onAbort, { once: true });
    const options = {
      connectTimeoutMs: readOptionalDurationMs(config, 'connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS),
      handshakeTimeoutMs: readOptionalDurationMs(config, 'handshakeTimeout', DEFAULT_HANDSHAKE_TIMEOUT_MS),
      signal: local.signal,
      lookup: addresses.lookup,
    };

    const started = Date.now();
    let endpoints = 0;
    let closed = 0;
    let keys = 0;
    const results = mapConcurrent<SshTarget, { target: SshTarget; result: HostKeyFetchResult }>(
      allowed,
      concurrency,
      async target => ({ target, result: await fetchHostKeys(target.host, target.port, options) }),
      context.signal,
    );
    try {
      for await (const { target, result } of results) {
        endpoints++;
        const location = formatEndpoint(target.host, target.port);
        if (result.connectError) {
          closed++;
          // A closed or silent port in a range sweep is simply no sshd there.
          if (!target.fromRange) {
            context.reportProblem({ location, message: `Cannot connect: ${result.connectError}` });
          }
        }
        // Evidence: the port refused, or every key exchange finished. A timeout or a failed exchange is none.
        if (result.refused || (!result.connectError && result.errors.length === 0 && !context.signal.aborted)) {
          context.reportCovered(location);
        }
        for (const message of result.errors) {
          context.reportProblem({ location, message: `SSH key exchange failed: ${message}` });
        }
        for (const { algorithm, blob } of result.keys) {
          let key;
          try {
            key = parseSshKeyBlob(blob);
          } catch (e) {
            context.reportProblem({ location, message: `Unreadable ${algorithm} host key: ${(e as Error).message}` });
            continue;
          }
          keys++;
          yield {
            type: 'ssh-key',
            fingerprintSha256: key.fingerprintSha256,
            displayName: sshKeyDisplayName(key),
            attributes: sshKeyAttributes(key),
            location,
            details: {
              host: target.host,
              port: target.port,
              role: 'host-key',
              hostKeyAlgorithm: algorithm,
              openSshFingerprint: key.openSshFingerprint,
              offeredAlgorithms: result.offered,
              serverVersion: result.serverVersion,
            },
            links: { sshHosts: [target.host] },
          };
        }
        context.reportProgress({ done: endpoints });
      }
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
    if (context.signal.aborted) {
      context.reportProblem({ message: `Scan aborted after ${endpoints} endpoints` });
    }
    if (skipped > 0) {
      context.reportProblem({ message: `${skipped} address(es) of ranges skipped: ${addresses.reason()}`, incomplete: false });
    }
    context.logger.info(
      `Fetched ${keys.toLocaleString('en-US')} SSH host keys from ${(endpoints - closed).toLocaleString('en-US')} ` +
        `of ${endpoints.toLocaleString('en-US')} endpoints (${closed} closed) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
  }
}
