/** Spaces events to at most `perSecond` per second (no bursts). */
export class RateLimiter {
  private next = 0;

  constructor(private readonly perSecond: number) {}

  /** Resolves when the caller may start its next event. */
  async take(signal?: AbortSignal): Promise<void> {
    const interval = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now && !signal?.aborted) {
      await new Promise<void>(resolve => {
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, at - now);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
