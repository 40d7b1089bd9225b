import type { X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import { ADDRESS_NOT_ALLOWED } from '@keyring/plugin-machine-identity-node';
import { type AbortFanout, listenForAbort } from './AbortFanout';
import { LocalIssuers } from './localIssuers';
import { MAX_CHAIN_DEPTH, orderPeerChain, presentedCertificates } from './peerChainOrder';

/** What one TLS handshake showed. */
export type PeerChainResult =
  | {
      ok: true;
      /** DER certificates, leaf first, each issued by the next. */
      chain: Buffer[];
      /**
       * The same certificates as Node decoded them in the handshake (absent when Node's own walk
       * read the chain, under `--use-openssl-ca`): parsing these spares decoding each DER again.
       */
      certificates?: X509Certificate[];
      tlsVersion?: string;
      cipher?: string;
    }
  | {
      ok: false;
      /**
       * `refused`: the host answered that nothing listens on the port (positive evidence);
       * `unreachable`: no answer at all (connect timeout, no route, name not resolved): says nothing
       * about the endpoint; `failed`: a listener that did not complete TLS.
       */
      stage: 'refused' | 'unreachable' | 'failed';
      message: string;
    };

/** Options for {@link fetchPeerChain}. */
export interface FetchPeerChainOptions {
  host: string;
  port: number;
  serverName?: string;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Most bytes read from the peer before giving up (default 1 MiB). */
  maxBytes?: number;
  signal?: AbortSignal;
  /** The scan's signal shared by every connection (used instead of `signal` when given). */
  aborts?: AbortFanout;
  /** Name resolution for hostnames (an `AddressPolicy` lookup refuses addresses the source may not reach). */
  lookup?: LookupFunction;
}

let sharedContext: tls.SecureContext | undefined;

/** Most bytes read from a peer during the handshake unless `maxBytes` says otherwise (in process and in the workers). */
export const DEFAULT_MAX_HANDSHAKE_BYTES = 1024 * 1024;

/** The client context's settings, also used by the handshake workers ({@link HandshakePool}). */
export const CLIENT_CONTEXT_OPTIONS: tls.SecureContextOptions = { minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' };

/**
 * One client context for every connection: building a context per connection
 * loads the root store each time and costs several milliseconds. Discovery must
 * see old and weak servers too, hence TLS 1.0+ and security level 0.
 */
function clientContext(): tls.SecureContext {
  sharedContext ??= tls.createSecureContext(CLIENT_CONTEXT_OPTIONS);
  return sharedContext;
}
/**
 * The chain as Node's `getPeerCertificate(true)` links it (leaf first, each issued by the
 * next, completed from the client store), walked until a fingerprint repeats.
 * Kept as the reference for {@link readPeerChain} and for stores it cannot list.
 */
export function readDetailedPeerChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && chain.length < MAX_CHAIN_DEPTH) {
    const key = cert.fingerprint256;
    if (seen.has(key)) break;
    seen.add(key);
    chain.push(Buffer.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * The same chain as {@link readDetailedPeerChain}, ordered from `getPeerX509Certificate()`
 * ({@link orderPeerChain}): Node then builds no JavaScript object of every field of every
 * certificate, which was a sixth of a sweep's CPU. Either reading consumes the socket's
 * peer chain, so call one of them once.
 */
export function readPeerChain(socket: tls.TLSSocket, store = LocalIssuers.defaultStore()): Buffer[] {
  return readPeerX509Chain(socket, store)?.map(c => c.raw) ?? readDetailedPeerChain(socket);
}

/**
 * {@link readPeerChain}'s chain as the handshake's `X509Certificate` objects, or `undefined`
 * when the client store cannot be listed (then only {@link readDetailedPeerChain} applies).
 */
export function readPeerX509Chain(socket: tls.TLSSocket, store = LocalIssuers.defaultStore()): X509Certificate[] | undefined {
  if (!store.exact) return undefined;
  return orderPeerChain(presentedCertificates(socket.getPeerX509Certificate()), store);
}

/** Errors before the TCP connection that prove nothing about the endpoint (a partition looks the same). */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETDOWN']);

/** The result of a socket error: `connected` tells whether the TCP connection was made first. */
export function failureOf(error: { code?: string; message: string }, connected: boolean): PeerChainResult {
  const code = error.code ?? '';
  if (!connected && code === 'ECONNREFUSED') {
    return { ok: false, stage: 'refused', message: 'nothing listening (ECONNREFUSED)' };
  }
  if (!connected && (UNREACHABLE_CODES.has(code) || code === ADDRESS_NOT_ALLOWED)) {
    return { ok: false, stage: 'unreachable', message: `not reachable (${code}): ${error.message}` };
  }
  return { ok: false, stage: 'failed', message: `TLS handshake failed: ${code ? `${code} ` : ''}${error.message}`.trim() };
}

/**
 * Connects, completes a TLS handshake without verifying the peer, and reads the
 * certificate chain the peer presented. Every way a hostile or broken endpoint
 * can misbehave ends in a result, never a throw or a hang: connect and
 * handshake are timed separately, reads are capped (OpenSSL also refuses a
 * certificate message over 100 KiB), and the issuer walk is guarded against
 * loops and depth.
 */
export function fetchPeerChain(options: FetchPeerChainOptions): Promise<PeerChainResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_HANDSHAKE_BYTES;
  return new Promise(resolve => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let guard: NodeJS.Timeout | undefined;
    let connected = false;
    let stopListening: () => void = () => undefined;
    // No session is offered (nothing is resumed) and no ALPN is sent: one full handshake, nothing more.
    const socket = tls.connect({
      host: options.host,
      port: options.port,
      servername: options.serverName,
      rejectUnauthorized: false,
      secureContext: clientContext(),
      lookup: options.lookup,
    });
    const finish = (result: PeerChainResult) => {
      if (settled) return;
      settled = true;
      // Nothing waits on a timer once the handshake (or its failure) settled the result.
      clearTimeout(timer);
      clearInterval(guard);
      stopListening();
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, stage: 'failed', message: 'scan aborted' });
    const signal = options.aborts ?? options.signal;
    if (signal?.aborted) {
      onAbort();
      return;
    }
    stopListening = listenForAbort(options, onAbort);
    timer = setTimeout(
      () => finish({ ok: false, stage: 'unreachable', message: `connect timed out after ${options.connectTimeoutMs} ms` }),
      options.connectTimeoutMs,
    );
    socket.once('connect', () => {
      if (settled) return;
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish({
            ok: false,
            stage: 'failed',
            message: `TLS handshake did not finish within ${options.handshakeTimeoutMs} ms`,
          }),
        options.handshakeTimeoutMs,
      );
      // Counts raw bytes while the handshake runs; a peer flooding data is cut off.
      guard = setInterval(() => {
        if (socket.bytesRead > maxBytes) {
          finish({ ok: false, stage: 'failed', message: `peer sent more than ${maxBytes} bytes during the handshake` });
        }
      }, 50);
      guard.unref();
    });
    socket.once('secureConnect', () => {
      try {
        const certificates = readPeerX509Chain(socket);
        const chain = certificates ? certificates.map(c => c.raw) : readDetailedPeerChain(socket);
        if (chain.length === 0) {
          finish({ ok: false, stage: 'failed', message: 'peer presented no certificate' });
          return;
        }
        const cipher = socket.getCipher();
        finish({
          ok: true,
          chain,
          ...(certificates ? { certificates } : {}),
          tlsVersion: socket.getProtocol() ?? undefined,
          cipher: cipher?.standardName ?? cipher?.name,
        });
      } catch (e) {
        finish({ ok: false, stage: 'failed', message: `could not read the peer chain: ${(e as Error).message}` });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(failureOf(error, connected)));
    socket.once('close', () =>
      finish({
        ok: false,
        stage: connected ? 'failed' : 'unreachable',
        message: 'connection closed before the TLS handshake finished',
      }),
    );
  });
}
