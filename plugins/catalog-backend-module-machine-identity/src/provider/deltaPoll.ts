import { stringifyError } from '@backstage/errors';
import { applyFeedPages } from './feedPages';
import { placeChange } from './placeChange';
import { emptyRunSummary, type ProviderParts, type ProviderRunSummary } from './types';

/**
 * Applies the changes since the last sequence seen as delta mutations (an
 * item already applied at its changeSeq is not sent again), then removes
 * gone and revoked identities whose retention ended.
 */
export async function deltaPoll(parts: ProviderParts): Promise<ProviderRunSummary> {
  const { state, logger } = parts;
  const run = emptyRunSummary('poll');
  const started = parts.now();
  const read = await applyFeedPages(
    parts,
    run,
    state.lastSeq,
    (item, ref, batch) => {
      if (state.applied.get(ref) === item.changeSeq) return;
      placeChange(parts, item, ref, run, batch, state.applied, state.retained);
    },
    since => {
      state.lastSeq = since;
    },
  );
  if (read.error !== undefined) {
    run.complete = false;
    logger.warn(
      `Machine identity change feed read failed after sequence ${read.since}; will retry: ${stringifyError(read.error)}`,
    );
  }
  await sweepRetention(parts, run);
  if (run.mutations > 0 || !run.complete) {
    logger.info(
      `Applied ${run.feedItems.toLocaleString('en-US')} machine identity changes to the catalog ` +
        `(${run.added} added or updated, ${run.removed} removed, ${run.skipped} skipped) ` +
        `in ${run.mutations} mutations, ${((parts.now() - started) / 1000).toFixed(1)}s`,
    );
  }
  return run;
}

async function sweepRetention(parts: ProviderParts, run: ProviderRunSummary): Promise<void> {
  const expired = parts.retention.expired(parts.state.retained);
  if (expired.length === 0) return;
  await parts.sender.apply(
    { added: [], removed: expired, commits: expired.map(ref => () => parts.state.forget(ref)) },
    run,
  );
}
