/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight, yielding
 * results as they finish (not in input order). Items are pulled lazily, so a
 * large sweep is never materialised, and no new call starts once `signal`
 * aborts. If a call rejects, no new call starts, the calls in flight are
 * waited for (nothing keeps running after the generator ends), their results
 * are still yielded, and then the first error is thrown.
 */
export async function* mapConcurrent<T, R>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
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
      let call: Promise<R>;
      try {
        call = fn(next.value);
      } catch (error) {
        call = Promise.reject(error);
      }
      call
        .then(
          result => {
            done.push(result);
          },
          error => {
            failure ??= { error };
          },
        )
        .finally(() => {
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
    if (active === 0 && (failure || exhausted || signal?.aborted)) {
      if (failure) throw failure.error;
      return;
    }
    await new Promise<void>(resolve => {
      wake = resolve;
    });
    wake = undefined;
    launch();
  }
}
