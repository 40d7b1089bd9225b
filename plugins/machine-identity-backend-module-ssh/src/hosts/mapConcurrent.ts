/**
 * Runs `fn` over `items` with at most `limit` calls in flight and yields
 * results as they complete. `fn` must not reject. Stops starting new calls
 * once `signal` is aborted.
 */
export async function* mapConcurrent<T, R>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator = items[Symbol.iterator]();
  const running = new Map<number, Promise<{ id: number; result: R }>>();
  let nextId = 0;
  const start = (): boolean => {
    if (signal?.aborted) return false;
    const next = iterator.next();
    if (next.done) return false;
    const id = nextId++;
    running.set(id, fn(next.value).then(result => ({ id, result })));
    return true;
  };
  while (running.size < limit && start());
  while (running.size > 0) {
    const { id, result } = await Promise.race(running.values());
    running.delete(id);
    while (running.size < limit && start());
    yield result;
  }
}
