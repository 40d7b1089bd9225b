import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import { certificateToDiscovery } from './certificateToDiscovery';
import { CertificateCache } from '@keyring/plugin-machine-identity-node';
import {
  AddressPolicy,
  checkEndpointCap,
  inShard,
  mapConcurrent,
  type ScanShard,
  readOptionalDurationMs,
  type ParsedCertificate,
} from '@keyring/plugin-machine-identity-node';
import { fetchPeerChain, type FetchPeerChainOptions, PeerChainResult } from './scanning/fetchPeerChain';
import { Endpoint, parseTarget, ParsedTarget } from './scanning/parseTargets';
import { RateLimiter } from './scanning/RateLimiter';
import { IssuerLinks } from './scanning/IssuerLinks';
import { TrustStore } from './scanning/TrustStore';
import { EndpointEvidence } from './scanning/EndpointEvidence';
import { AbortFanout } from './scanning/AbortFanout';
import { HandshakePool } from './scanning/HandshakePool';

/** Settings of one `tls` source, read from config. */
export interface TlsSourceSettings {
  targets: ParsedTarget[];
  serverNames: string[];
  concurrency: number;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  rateLimit?: number;
  trustedCaFiles: string[];
  /** Which addresses may be connected to (`allowedRanges`). */
  addresses: AddressPolicy;
  /** Worker threads running the TLS handshakes (0: in the scan's own thread). */
  handshakeWorkers: number;
}

const DEFAULTS = { concurrency: 64, connectTimeoutMs: 3000, handshakeTimeoutMs: 5000 };

/**
 * Two handshake workers from two cores on, none on a single core (the handshakes then stay in
 * the scan's thread). Two, not one per spare core: on a 2-core machine one worker became the
 * bottleneck (it runs Node's TLS client at ~1.5 ms CPU an endpoint), two kept the main thread
 * busy, and more add memory (~10 MB a worker) without a faster main thread.
 */
export function defaultHandshakeWorkers(cores = os.availableParallelism()): number {
  return cores < 2 ? 0 : 2;
}

/** Reads and validates a `tls` source block. Throws an `InputError` naming the bad key. */
export function readTlsSourceSettings(config: Config): TlsSourceSettings {
  const targets = config.getStringArray('targets').map(parseTarget);
  if (targets.length === 0) throw new InputError('A tls source needs at least one target');
  const concurrency = config.getOptionalNumber('concurrency') ?? DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4096) {
    throw new InputError(`concurrency must be an integer from 1 to 4096, got ${concurrency}`);
  }
  const addresses = AddressPolicy.fromConfig(config);
  for (const target of targets) {
    const [first] = target.endpoints();
    if (!target.sweep && first?.isIp && !addresses.allows(first.host)) {
      throw new InputError(`TLS target "${target.target}": ${addresses.why(first.host)}`);
    }
  }
  const serverNames = config.getOptionalStringArray('serverNames') ?? [];
  checkEndpointCap(config, targets.reduce((sum, t) => sum + t.count, 0) * Math.max(1, serverNames.length));
  const rateLimit = config.getOptionalNumber('rateLimit');
  if (rateLimit !== undefined && !(rateLimit > 0)) throw new InputError('rateLimit must be a positive number of connections per second');
  const handshakeWorkers = config.getOptionalNumber('handshakeWorkers') ?? defaultHandshakeWorkers();
  if (!Number.isInteger(handshakeWorkers) || handshakeWorkers < 0 || handshakeWorkers > 16) {
    throw new InputError(`handshakeWorkers must be an integer from 0 to 16, got ${handshakeWorkers}`);
  }
  return {
    targets,
    serverNames,
    concurrency,
    connectTimeoutMs: readOptionalDurationMs(config, 'connectTimeout', DEFAULTS.connectTimeoutMs),
    handshakeTimeoutMs: readOptionalDurationMs(config, 'handshakeTimeout', DEFAULTS.handshakeTimeoutMs),
    rateLimit,
    trustedCaFiles: config.getOptionalStringArray('trustedCaFiles') ?? [],
    addresses,
    handshakeWorkers,
  };
}

interface Attempt {
  endpoint: Endpoint;
  serverName?: string;
}

interface AttemptResult extends Attempt {
  result: PeerChainResult;
}

/** The handshakes to try; addresses of a range that the source may not reach are counted in `refusedByPolicy`, not tried. */
function* attempts(settings: TlsSourceSettings, refusedByPolicy: Map<string, number>, shard?: ScanShard): Iterable<Attempt> {
  // The ports of one address come one after another: its range check is made once for them.
  let lastHost: string | undefined;
  let lastAllowed = false;
  const allows = (host: string) => {
    if (host !== lastHost) {
      lastHost = host;
      lastAllowed = settings.addresses.allows(host);
    }
    return lastAllowed;
  };
  for (const target of settings.targets) {
    for (const endpoint of target.endpoints()) {
      // A sharded source's run scans (and covers) only this shard's endpoints.
      if (!inShard(endpoint.location, shard)) continue;
      if (endpoint.isIp && !allows(endpoint.host)) {
        refusedByPolicy.set(target.target, (refusedByPolicy.get(target.target) ?? 0) + 1);
        continue;
      }
      if (settings.serverNames.length > 0) {
        for (const serverName of settings.serverNames) yield { endpoint, serverName };
      } else {
        yield { endpoint, serverName: endpoint.isIp ? undefined : endpoint.host };
      }
    }
  }
}

/** Options of {@link TlsScanner.create}. */
export interface TlsScannerOptions {
  /** CA files from `machineIdentity.policies.tls.approvedIssuers`. */
  approvedIssuerFiles?: string[];
  /**
   * Parsed certificates kept across this scanner's scans, keyed by the SHA-256 of the DER
   * (default: a cache of 10,000 certificates owned by the scanner).
   */
  certificateCache?: CertificateCache;
}

/**
 * Scans TLS endpoints (`type: tls` sources): connects to every configured
 * address and port, reads the presented chain and yields each certificate of it
 * as a discovery, with the negotiated TLS version and cipher on the sighting.
 */
export class TlsScanner implements MachineIdentityScanner {
  readonly sourceTypes = ['tls'] as const;

  private readonly certificates: CertificateCache;
  private readonly links = new IssuerLinks();

  private constructor(private readonly options: TlsScannerOptions) {
    this.certificates = options.certificateCache ?? new CertificateCache();
  }

  static create(options: TlsScannerOptions = {}): TlsScanner {
    return new TlsScanner(options);
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const started = Date.now();
    const settings = readTlsSourceSettings(context.source.config);
    // Each connection in flight (and the rate limiter) listens for the run's abort.
    setMaxListeners(settings.concurrency * 2 + 16, context.signal);
    const trustFiles = settings.trustedCaFiles.length > 0 ? settings.trustedCaFiles : (this.options.approvedIssuerFiles ?? []);
    const trust = await TrustStore.fromFiles(trustFiles, der => this.certificates.parse(der));
    const publicRoots = TrustStore.publicRoots();
    const limiter = settings.rateLimit ? new RateLimiter(settings.rateLimit) : undefined;
    const perAddress = Math.max(1, settings.serverNames.length);
    const inThisShard = (t: ParsedTarget) => {
      let n = 0;
      for (const endpoint of t.endpoints()) if (inShard(endpoint.location, context.shard)) n++;
      return n;
    };
    const total = settings.targets.reduce((sum, t) => sum + (context.shard ? inThisShard(t) : t.count) * perAddress, 0);

    let done = 0;
    let certificates = 0;
    let lastProgress = 0;
    const refusedByTarget = new Map<string, number>();
    let failed = 0;
    let silent = 0;
    const evidence = new EndpointEvidence();
    const refusedByPolicy = new Map<string, number>();
    context.reportProgress({ done, total });

    const aborts = new AbortFanout(context.signal);
    // Started with the first handshake, stopped when the sweep ends however it ends.
    const pool = settings.handshakeWorkers > 0 ? new HandshakePool(settings.handshakeWorkers) : undefined;
    const handshake = pool ? (o: FetchPeerChainOptions) => pool.fetch(o) : fetchPeerChain;
    const attempt = async (a: Attempt): Promise<AttemptResult> => {
      await limiter?.take(context.signal);
      const result = await handshake({
        host: a.endpoint.host,
        port: a.endpoint.port,
        serverName: a.serverName,
        connectTimeoutMs: settings.connectTimeoutMs,
        handshakeTimeoutMs: settings.handshakeTimeoutMs,
        aborts,
        lookup: settings.addresses.lookup,
      });
      return { ...a, result };
    };

    try {
      for await (const { endpoint, serverName, result } of mapConcurrent(
        attempts(settings, refusedByPolicy, context.shard),
        settings.concurrency,
        attempt,
        context.signal,
      )) {
        done++;
        if (done === total || Date.now() - lastProgress > 500) {
          lastProgress = Date.now();
          context.reportProgress({ done, total });
        }
        const where = serverName && serverName !== endpoint.host ? `${endpoint.location} (SNI ${serverName})` : endpoint.location;
        if (!result.ok) {
          evidence.answer(endpoint.location, result.stage === 'refused');
          if (result.stage === 'refused' && endpoint.sweep) {
            refusedByTarget.set(endpoint.target, (refusedByTarget.get(endpoint.target) ?? 0) + 1);
          } else if (result.stage === 'unreachable' && endpoint.sweep) {
            // No answer from an address of a range: no evidence either way, and no gap to report.
            silent++;
          } else {
            failed++;
            context.reportProblem({ location: where, message: result.message, incomplete: true });
          }
          continue;
        }
        const parsed: ParsedCertificate[] = [];
        for (const [position, der] of result.chain.entries()) {
          const decoded = result.certificates?.[position];
          try {
            parsed.push(decoded ? this.certificates.parseX509(decoded) : this.certificates.parse(der));
          } catch (e) {
            context.reportProblem({
              location: where,
              message: `certificate ${position} of the presented chain is malformed: ${(e as Error).message}`,
            });
            break;
          }
        }
        evidence.answer(endpoint.location, parsed.length === result.chain.length);
        for (const [position, cert] of parsed.entries()) {
          certificates++;
          yield certificateToDiscovery(cert, {
            location: endpoint.location,
            details: {
              tlsVersion: result.tlsVersion,
              cipher: result.cipher,
              serverName,
              chainPosition: position,
            },
            hostnames:
              position === 0 ? [serverName, endpoint.isIp ? undefined : endpoint.host].filter((h): h is string => !!h) : [],
            chainTrusted: trust.verifies(parsed, position, this.links),
            publiclyTrusted: publicRoots.verifies(parsed, position, this.links),
            chain: parsed.slice(position + 1).map(c => c.fingerprintSha256),
          });
        }
      }
    } finally {
      await pool?.close();
    }
    if (context.signal.aborted) {
      context.reportProblem({ message: `scan aborted after ${done} of ${total} endpoints` });
    }
    // An endpoint is covered when every handshake tried on it gave a definite answer.
    evidence.report(location => context.reportCovered(location));
    for (const [target, count] of refusedByPolicy) {
      done += count * perAddress;
      context.reportProblem({
        location: target,
        message: `${count.toLocaleString('en-US')} address(es) of this range skipped: ${settings.addresses.reason()}`,
        incomplete: false,
      });
    }
    if (refusedByPolicy.size > 0) context.reportProgress({ done, total });
    let refused = 0;
    for (const [target, count] of refusedByTarget) {
      refused += count;
      context.reportProblem({
        location: target,
        message: `${count.toLocaleString('en-US')} endpoint(s) of this range had nothing listening`,
        incomplete: false,
      });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    context.logger.info(
      `Scanned ${done.toLocaleString('en-US')} TLS endpoints (${refused.toLocaleString('en-US')} refused, ` +
        `${silent.toLocaleString('en-US')} silent in ranges, ${failed.toLocaleString('en-US')} failed) and found ${certificates.toLocaleString('en-US')} certificates in ${seconds}s`,
    );
  }
}
