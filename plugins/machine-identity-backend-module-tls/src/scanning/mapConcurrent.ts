/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight, yielding
 * results as they finish (not in input order). Pulls items lazily, so a large
 * sweep is never materialised, and stops taking new items once `signal` aborts.
 */
export async function* mapConcurrent<T, R>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator = items[Symbol.iterator]();
  const done: R[] = [];
  let wake: (() => void) | undefined;
  let active = 0;
  let exhausted = false;
  let failure: { error: unknown } | undefined;

  const launch = () => {
    while (!exhausted && !failure && active < concurrency && !signal?.aborted) {
      const next = iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      active++;
      fn(next.value).then(
        result => {
          done.push(result);
        },
        error => {
          failure = { error };
        },
      ).finally(() => {
        active--;
        wake?.();
      });
    }
  };

  launch();
  while (true) {
    while (done.length > 0) {
      yield done.shift()!;
      launch();
    }
    if (failure) throw failure.error;
    if (active === 0 && (exhausted || signal?.aborted)) return;
    await new Promise<void>(resolve => {
      wake = resolve;
    });
    wake = undefined;
    launch();
  }
}
