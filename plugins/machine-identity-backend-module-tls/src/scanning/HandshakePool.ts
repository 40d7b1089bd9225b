import { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import { Worker } from 'node:worker_threads';
import { listenForAbort } from './AbortFanout';
import { CLIENT_CONTEXT_OPTIONS, DEFAULT_MAX_HANDSHAKE_BYTES, failureOf, type FetchPeerChainOptions, type PeerChainResult } from './fetchPeerChain';
import { HANDSHAKE_WORKER_SOURCE } from './handshakeWorkerSource';
import { LocalIssuers } from './localIssuers';
import { MAX_CHAIN_DEPTH, MAX_PRESENTED, orderPeerChain } from './peerChainOrder';

/** What a handshake worker answers for one job (see handshakeWorkerSource.ts). */
type WorkerReply = { id: number } & (
  | { ders: ArrayBuffer[]; tlsVersion?: string; cipher?: string }
  | { error: { code?: string; message: string }; connected: boolean }
  | { result: PeerChainResult }
);

interface Slot {
  worker: Worker;
  /** Jobs in flight on this worker, by id. */
  pending: Map<number, (reply: WorkerReply | PeerChainResult) => void>;
}

const ABORTED: PeerChainResult = { ok: false, stage: 'failed', message: 'scan aborted' };

/** Workers of every pool still running (for tests: a scan leaves none behind). */
let running = 0;

/** Resolves a hostname as `net.connect` does (every address, `ADDRCONFIG`), through `lookup`. */
function resolveHost(host: string, lookup: LookupFunction): Promise<dns.LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const options = { family: 0, hints: process.platform === 'win32' ? 0 : dns.ADDRCONFIG, all: true };
    lookup(host, options, (error, addresses) => (error ? reject(error) : resolve(addresses as unknown as dns.LookupAddress[])));
  });
}

/**
 * TLS handshakes run in `worker_threads` (the `handshakeWorkers` setting): Node's TLS client
 * is about half of a sweep's main-thread CPU, so a few workers connect while the main thread
 * parses, checks trust and builds discoveries. {@link fetch} gives what `fetchPeerChain` gives
 * in process: a worker returns the presented certificates' DER and the main thread orders and
 * completes the chain with the same {@link orderPeerChain} and client store. Hostnames are
 * resolved here with the source's lookup (so `allowedRanges` holds) and only the addresses
 * are handed to the worker.
 *
 * Workers start on the first handshake, keep the process alive only while one is in flight,
 * and stop at {@link close}. A worker that dies fails its handshakes in flight (`failed`) and
 * is replaced by the next handshake.
 */
export class HandshakePool {
  private readonly slots: (Slot | undefined)[];
  private nextId = 0;
  private closed = false;

  constructor(
    size: number,
    private readonly store: LocalIssuers = LocalIssuers.defaultStore(),
  ) {
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /** Handshake workers running in this process, over all pools. */
  static runningWorkers(): number {
    return running;
  }

  /** @internal The running workers of this pool (tests stop one to see a crash handled). */
  workers(): Worker[] {
    return this.slots.filter((s): s is Slot => !!s).map(s => s.worker);
  }

  /** One handshake, as {@link fetchPeerChain} would make it in process. */
  async fetch(options: FetchPeerChainOptions): Promise<PeerChainResult> {
    const signal = options.aborts ?? options.signal;
    if (signal?.aborted || this.closed) return ABORTED;
    const started = Date.now();
    let addresses: dns.LookupAddress[] | undefined;
    if (!net.isIP(options.host)) {
      try {
        addresses = await resolveHost(options.host, options.lookup ?? dns.lookup);
      } catch (e) {
        return failureOf(e as NodeJS.ErrnoException, false);
      }
      if (signal?.aborted || this.closed) return ABORTED;
    }
    const reply = await this.send(
      {
        host: options.host,
        port: options.port,
        serverName: options.serverName,
        addresses,
        // The lookup counts against the connect timeout, as it does in process.
        connectTimeoutMs: Math.max(1, options.connectTimeoutMs - (Date.now() - started)),
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_HANDSHAKE_BYTES,
      },
      options,
    );
    return this.resultOf(reply);
  }

  /** Stops every worker; handshakes still in flight end as aborted. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.workers();
    this.slots.fill(undefined);
    await Promise.all(slots.map(w => w.terminate()));
  }

  private send(job: Record<string, unknown>, options: FetchPeerChainOptions): Promise<WorkerReply | PeerChainResult> {
    const slot = this.leastBusy();
    const id = ++this.nextId;
    return new Promise(resolve => {
      let stopListening: () => void = () => undefined;
      const done = (reply: WorkerReply | PeerChainResult) => {
        if (!slot.pending.delete(id)) return;
        stopListening();
        if (slot.pending.size === 0) slot.worker.unref();
        resolve(reply);
      };
      // The abort answers at once; the worker is told to drop the connection.
      const onAbort = () => {
        slot.worker.postMessage({ cancel: id });
        done(ABORTED);
      };
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, done);
      stopListening = listenForAbort(options, onAbort);
      slot.worker.postMessage({ job: { id, ...job } });
    });
  }

  private resultOf(reply: WorkerReply | PeerChainResult): PeerChainResult {
    if ('ok' in reply) return reply;
    if ('result' in reply) return reply.result;
    if ('error' in reply) return failureOf(reply.error, reply.connected);
    const ders = reply.ders.map(b => Buffer.from(b));
    // Node's own walk (an unlistable store) was read in the worker: the chain is final.
    if (!this.store.exact) return { ok: true, chain: ders, tlsVersion: reply.tlsVersion, cipher: reply.cipher };
    try {
      const certificates = orderPeerChain(
        ders.map(der => new X509Certificate(der)),
        this.store,
      );
      return { ok: true, chain: certificates.map(c => c.raw), certificates, tlsVersion: reply.tlsVersion, cipher: reply.cipher };
    } catch (e) {
      return { ok: false, stage: 'failed', message: `could not read the peer chain: ${(e as Error).message}` };
    }
  }

  private leastBusy(): Slot {
    let best: Slot | undefined;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] ?? this.start(i);
      if (!best || slot.pending.size < best.pending.size) best = slot;
    }
    return best!;
  }

  private start(index: number): Slot {
    const worker = new Worker(HANDSHAKE_WORKER_SOURCE, {
      eval: true,
      workerData: { context: CLIENT_CONTEXT_OPTIONS, detailed: !this.store.exact, maxChainDepth: MAX_CHAIN_DEPTH, maxPresented: MAX_PRESENTED },
    });
    running++;
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    this.slots[index] = slot;
    let reason: string | undefined;
    worker.on('message', (reply: WorkerReply) => slot.pending.get(reply.id)?.(reply));
    worker.on('error', error => {
      reason = error.message;
    });
    worker.once('exit', code => {
      running--;
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const result: PeerChainResult = this.closed
        ? ABORTED
        : { ok: false, stage: 'failed', message: `handshake worker stopped: ${reason ?? `exit code ${code}`}` };
      for (const done of [...slot.pending.values()]) done(result);
    });
    return slot;
  }
}
