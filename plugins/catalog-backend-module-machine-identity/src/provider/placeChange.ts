import type { IdentityChange } from '@keyring/plugin-machine-identity-common';
import type { MutationBatch } from './MutationSender';
import type { ProviderParts, ProviderRunSummary } from './types';

/**
 * Queues an item as added (or removed once its retention ended) and, once
 * the mutation is applied, records it in `applied`/`retained`. Returns
 * whether the item is shown in the catalog.
 */
export function placeChange(
  parts: ProviderParts,
  item: IdentityChange,
  ref: string,
  run: ProviderRunSummary,
  batch: MutationBatch,
  applied: Map<string, number>,
  retained: Map<string, number>,
): boolean {
  const { state, retention } = parts;
  if (!retention.isVisible(item)) {
    if (state.applied.has(ref)) {
      batch.removed.push(ref);
      batch.commits.push(() => state.forget(ref));
    }
    return false;
  }
  const entity = parts.mapping.toEntity(item);
  if (!entity) {
    run.skipped += 1;
    return false;
  }
  batch.added.push(entity);
  const retainUntil = item.state === 'active' ? undefined : retention.end(item);
  batch.commits.push(() => {
    applied.set(ref, item.changeSeq);
    if (retainUntil === undefined) retained.delete(ref);
    else retained.set(ref, retainUntil);
  });
  return true;
}
