import type { DeferredEntity } from '@backstage/plugin-catalog-node';
import type { IdentityChange } from '@keyring/plugin-machine-identity-common';
import { type MutationBatch, newMutationBatch } from './MutationSender';
import type { ProviderParts, ProviderRunSummary } from './types';

/** How far {@link applyFeedPages} read, and the error that stopped it if one did. */
export interface FeedPagesResult {
  since: number;
  error?: unknown;
}

/**
 * Reads the change feed from `from` page by page; `handle` queues each
 * nameable item into the current batch. Pages are gathered until the batch
 * holds `parts.orderWindow` entities (or the feed ends), then the batch is
 * applied grouped by owner and component (see {@link orderByOwner}) before
 * the cursor moves on; with an `orderWindow` of 0 each page is applied in
 * feed order. An item whose entity is already queued in the batch (it
 * changed while the window was read) first has the batch applied, so it is
 * decided against what the catalog then has. Items that cannot be named are
 * counted as skipped. Never throws: a failed read or mutation ends the loop
 * and is returned with the sequence of the last batch applied.
 */
export async function applyFeedPages(
  parts: ProviderParts,
  run: ProviderRunSummary,
  from: number,
  handle: (item: IdentityChange, ref: string, batch: MutationBatch) => void,
  onPage?: (since: number) => void,
): Promise<FeedPagesResult> {
  let since = from;
  let read = from;
  let batch = newMutationBatch();
  // Refs queued in the batch: an identity that changed while the window was read comes again in a later page, and
  // `handle` decides from what was applied (a removal only of what the catalog has), so the batch goes first.
  let queued = new Set<string>();
  const flush = async () => {
    if (parts.orderWindow > 0) batch.added = orderByOwner(batch.added);
    await parts.sender.apply(batch, run);
    batch = newMutationBatch();
    queued = new Set();
    since = read;
    onPage?.(since);
  };
  try {
    for (;;) {
      const page = await parts.feed.readChanges({ since: read, limit: parts.pageSize });
      run.feedItems += page.items.length;
      for (const item of page.items) {
        const ref = parts.mapping.refOf(item);
        if (!ref) {
          run.skipped += 1;
          continue;
        }
        if (queued.has(ref)) await flush();
        queued.add(ref);
        handle(item, ref, batch);
      }
      read = Math.max(read, page.nextSince);
      const last = !page.hasMore || page.items.length === 0;
      if (last || batch.added.length + batch.removed.length >= parts.orderWindow) await flush();
      if (last) break;
    }
    return { since };
  } catch (error) {
    return { since, error };
  }
}

/**
 * The entities grouped by `spec.owner`, then `spec.component` (stable, so feed
 * order within a group).
 * Processing an identity queues its Group and Component for stitching; sent
 * together, a Group's identities are processed together and the Group is
 * re-stitched a few times per window instead of throughout the ingestion.
 */
export function orderByOwner(added: DeferredEntity[]): DeferredEntity[] {
  const key = (deferred: DeferredEntity) => {
    const spec = (deferred.entity.spec ?? {}) as { owner?: unknown; component?: unknown };
    return `${String(spec.owner ?? '')}\n${String(spec.component ?? '')}`;
  };
  return added
    .map(deferred => ({ deferred, key: key(deferred) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ deferred }) => deferred);
}
