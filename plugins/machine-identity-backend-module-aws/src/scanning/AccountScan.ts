import { createHash } from 'node:crypto';
import { inShard, type ScannerContext } from '@keyring/plugin-machine-identity-node';
import type { AwsClients } from './createAwsClients';
import type { AwsAccountConfig } from './readAwsAccounts';

/** Lower-case hex SHA-256 of an identifier that is not secret (an ARN). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** One sentence about a failed AWS call: error name, HTTP status, attempts and message. */
export function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode}` : '';
  const attempts = e.$metadata?.attempts ? `${status ? ', ' : ' ('}${e.$metadata.attempts} attempts)` : status ? ')' : '';
  return `${e.name ?? 'Error'}${status}${attempts}: ${String(e.message ?? error).slice(0, 300)}`;
}

/**
 * The state of one account's scan: its clients, where its locations start,
 * and which families of identities were listed completely (only those are
 * reported covered).
 */
export class AccountScan {
  /** Families (`iam/users`, `acm`…) with at least one failed call. */
  private readonly incomplete = new Set<string>();
  /** Problems reported for this account. */
  problems = 0;

  constructor(
    readonly context: ScannerContext,
    readonly account: AwsAccountConfig,
    readonly clients: AwsClients,
  ) {}

  /**
   * Whether this run scans the IAM user or role at `location`: a sharded
   * source (`ScannerContext.shard`) gives each to one shard by `inShard` of
   * its location (`<accountId>/iam/users/<name>`).
   */
  owns(location: string): boolean {
    return inShard(location, this.context.shard);
  }

  /**
   * Whether this run scans the account-level stores (IAM server
   * certificates, Secrets Manager, ACM) and reports problems every shard
   * meets alike (a malformed user record): unsharded, or shard 0.
   */
  get ownsAccountLevel(): boolean {
    return (this.context.shard?.index ?? 0) === 0;
  }

  /** `<accountId>/iam/users/…` or `<accountId>/<region>/acm/…`. */
  location(family: string, ...rest: string[]): string {
    const regional = family.startsWith('secretsmanager') || family.startsWith('acm');
    return [this.account.accountId, ...(regional ? [this.account.region] : []), family, ...rest].join('/');
  }

  /**
   * Runs one AWS call (the SDK retries throttling and 5xx with backoff). A
   * call that still fails is a problem on the run and marks its family
   * incomplete; the caller gets `undefined`.
   */
  async call<T>(family: string, location: string, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.fail(family, location, `${what} failed: ${describeAwsError(error)}`);
      return undefined;
    }
  }

  /** Records a failure that leaves `family` (and the families above it) incomplete. */
  fail(family: string, location: string, message: string): void {
    this.markIncomplete(family);
    this.problems += 1;
    this.context.reportProblem({ location, message });
  }

  /**
   * Records a call that succeeded but answered without `missing` (a partial
   * or malformed answer): not evidence that the identity is gone, so
   * `family` is left incomplete, as for a failed call.
   */
  missing(family: string, location: string, what: string, missing: string): void {
    this.fail(family, location, `${what} answered without ${missing}`);
  }

  /** Marks `family` and its ancestors (`iam/access-keys/bob` → `iam/access-keys`, `iam`) incomplete. */
  markIncomplete(family: string): void {
    const parts = family.split('/');
    for (let i = 1; i <= parts.length; i++) this.incomplete.add(parts.slice(0, i).join('/'));
  }

  /** Whether every call of a family (and of the families below it) succeeded. */
  isComplete(family: string): boolean {
    return !this.incomplete.has(family);
  }

  /** Reports `<family location>/` covered when the family was listed completely. */
  coverIfComplete(family: string): void {
    if (this.isComplete(family)) {
      this.context.reportCovered(`${this.location(family)}/`);
    }
  }
}

/**
 * Reads every page of an SDK paginator into one list. When a page still
 * fails after the SDK's retries, the list is returned as far as it got with
 * `complete: false` and the failure recorded.
 */
export async function readAllPages<P, T>(
  scan: AccountScan,
  family: string,
  location: string,
  what: string,
  pages: AsyncIterable<P>,
  pick: (page: P) => T[] | undefined,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  try {
    for await (const page of pages) items.push(...(pick(page) ?? []));
    return { items, complete: true };
  } catch (error) {
    scan.fail(family, location, `${what} failed after ${items.length} items: ${describeAwsError(error)}`);
    return { items, complete: false };
  }
}

/** Maps items with at most `limit` in flight, keeping their order. */
export async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
