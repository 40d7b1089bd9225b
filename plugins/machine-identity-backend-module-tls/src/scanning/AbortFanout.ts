/**
 * One `abort` listener on a scan's signal for all the connections in flight, instead of one
 * listener per connection: Node 20's `EventTarget.addEventListener` costs tens of
 * microseconds a call, which was 3–4 % of a sweep's CPU at a connection per endpoint.
 */
export class AbortFanout {
  private readonly handlers = new Set<() => void>();

  constructor(readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.fire(), { once: true });
  }

  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** Calls `handler` once when the signal aborts (not if it already has); returns its removal. */
  add(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  private fire() {
    const handlers = [...this.handlers];
    this.handlers.clear();
    for (const handler of handlers) handler();
  }
}

/**
 * Calls `onAbort` once when the scan's `aborts` (or else the caller's own `signal`) fires;
 * returns the removal of the listener.
 */
export function listenForAbort(on: { aborts?: AbortFanout; signal?: AbortSignal }, onAbort: () => void): () => void {
  if (on.aborts) return on.aborts.add(onAbort);
  const own = on.signal;
  if (!own) return () => undefined;
  own.addEventListener('abort', onAbort, { once: true });
  return () => own.removeEventListener('abort', onAbort);
}
