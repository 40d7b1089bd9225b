import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';

/** One page of a LIST, as `@kubernetes/client-node` returns it. */
export interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string; resourceVersion?: string; remainingItemCount?: number };
}

/** A LIST call of the client (`listSecretForAllNamespaces` and friends). */
export type ListCall<T> = (args: { limit: number; _continue?: string }) => Promise<ListPage<T>>;

/** A LIST that could not be read to its end: what was listed of it is not the whole. */
export class IncompleteListError extends Error {
  override name = 'IncompleteListError';
}

/** Options of {@link listPaged}. */
export interface ListPagedOptions {
  /** What is listed, for messages: `Secrets in all namespaces`. */
  what: string;
  signal: AbortSignal;
  logger: LoggerService;
  /** Objects per page (default 500). */
  pageSize?: number;
  /** Extra attempts of a page after a 5xx, 429 or network error (default 2). */
  retries?: number;
  /** Restarts after an expired continue token (default 2). */
  restarts?: number;
  /** Base backoff between attempts (default 250 ms, doubled each time). */
  backoffMs?: number;
  /** Called with each page's list metadata (for progress totals). */
  onPage?: (metadata: ListPage<unknown>['metadata'], items: number) => void;
}

const statusOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
};

/** The Status message of a client error's body, when there is one. */
export function apiErrorMessage(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status body
  }
  const status = statusOf(error);
  const message = (error as Error)?.message?.split('\n')[0] ?? String(error);
  return status ? `HTTP ${status}: ${message.replace(/^HTTP-Code: \d+\s*/, '')}` : message;
}

const keyOf = (item: unknown): string => {
  const meta = (item as { metadata?: { namespace?: string; name?: string } })?.metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ''}` : String(meta?.name ?? '');
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/**
 * Pages through a LIST with `limit` + `continue`, yielding each page's items
 * so a caller holds one page at a time. Transient failures (5xx, 429,
 * network) are retried with backoff; an expired continue token (410) restarts
 * the list and skips the objects already yielded (the apiserver lists in key
 * order, so everything up to the last key was seen). What cannot be read to
 * the end throws {@link IncompleteListError}; 401 throws `NotAllowedError`
 * (the credentials are refused) and 404 `NotFoundError` (the API is not
 * served, e.g. cert-manager not installed).
 */
export async function* listPaged<T>(call: ListCall<T>, options: ListPagedOptions): AsyncGenerator<T[]> {
  const pageSize = options.pageSize ?? 500;
  const retries = options.retries ?? 2;
  const backoff = options.backoffMs ?? 250;
  let restartsLeft = options.restarts ?? 2;
  let token: string | undefined;
  let lastKey: string | undefined;
  let skipThrough: string | undefined;
  for (;;) {
    let page: ListPage<T> | undefined;
    for (let attempt = 0; !page; attempt++) {
      if (options.signal.aborted) throw new IncompleteListError(`Listing ${options.what} was aborted`);
      try {
        page = await call({ limit: pageSize, _continue: token });
      } catch (error) {
        const status = statusOf(error);
        if (status === 401) throw new NotAllowedError(`The API server refused the credentials listing ${options.what}: ${apiErrorMessage(error)}`);
        if (status === 403) throw new IncompleteListError(`Not allowed to list ${options.what}: ${apiErrorMessage(error)}`);
        if (status === 404) throw new NotFoundError(`The API server does not serve ${options.what}`);
        if (status === 410 && token) {
          if (restartsLeft <= 0) throw new IncompleteListError(`Listing ${options.what}: continue token expired again after restarts`);
          restartsLeft -= 1;
          skipThrough = lastKey;
          token = undefined;
          options.logger.info(`Continue token expired listing ${options.what}; restarting the list after ${skipThrough ?? 'the start'}`);
          continue;
        }
        const transient = status === undefined || status === 429 || status >= 500;
        if (!transient || attempt >= retries) {
          throw new IncompleteListError(`Listing ${options.what} failed${attempt > 0 ? ` after ${attempt + 1} attempts` : ''}: ${apiErrorMessage(error)}`);
        }
        await sleep(backoff * 2 ** attempt, options.signal);
      }
    }
    options.onPage?.(page.metadata, page.items?.length ?? 0);
    let items = page.items ?? [];
    if (skipThrough !== undefined) {
      const from = skipThrough;
      items = items.filter(item => keyOf(item) > from);
    }
    if (page.items?.length) {
      const pageLast = keyOf(page.items[page.items.length - 1]);
      if (lastKey === undefined || pageLast > lastKey) lastKey = pageLast;
    }
    if (items.length > 0) yield items;
    token = page.metadata?._continue || undefined;
    if (!token) return;
  }
}
