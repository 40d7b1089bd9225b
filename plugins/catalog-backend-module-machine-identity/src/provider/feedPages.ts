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
 * nameable item into the page's batch, which is applied before the next page
 * is read. Items that cannot be named are counted as skipped. Never throws: a
 * failed read or mutation ends the loop and is returned with the sequence
 * reached.
 */
export async function applyFeedPages(
  parts: ProviderParts,
  run: ProviderRunSummary,
  from: number,
  handle: (item: IdentityChange, ref: string, batch: MutationBatch) => void,
  onPage?: (since: number) => void,
): Promise<FeedPagesResult> {
  let since = from;
  try {
    for (;;) {
      const page = await parts.feed.readChanges({ since, limit: parts.pageSize });
      run.feedItems += page.items.length;
      const batch = newMutationBatch();
      for (const item of page.items) {
        const ref = parts.mapping.refOf(item);
        if (ref) handle(item, ref, batch);
        else run.skipped += 1;
      }
      await parts.sender.apply(batch, run);
      since = Math.max(since, page.nextSince);
      onPage?.(since);
      if (!page.hasMore || page.items.length === 0) break;
    }
    return { since };
  } catch (error) {
    return { since, error };
  }
}
