import { stringifyError } from '@backstage/errors';
import { MACHINE_IDENTITY_LOCATION } from '@keyring/plugin-machine-identity-common';
import { applyFeedPages } from './feedPages';
import { placeChange } from './placeChange';
import { removalRefusal } from './removalGuard';
import { emptyRunSummary, type ProviderParts, type ProviderRunSummary } from './types';

/**
 * Reads the whole feed and makes the catalog match it: re-sends what is
 * missing or stale, removes what retention ended and what the inventory no
 * longer has — the latter under the mass-removal guard, and not at all when
 * the feed could not be read to its end. Replaces the provider's state with
 * what it found.
 */
export async function fullReconcile(parts: ProviderParts): Promise<ProviderRunSummary> {
  const { state, retention, logger } = parts;
  const run = emptyRunSummary('reconcile');
  const started = parts.now();
  const listed = await listShown(parts);

  const desired = new Set<string>();
  const retired = new Set<string>();
  const nextApplied = new Map<string, number>();
  const nextRetained = new Map<string, number>();
  const read = await applyFeedPages(parts, run, 0, (item, ref, batch) => {
    if (!retention.isVisible(item)) {
      // Shown before, or added by an earlier batch of this reconcile (it changed while the feed was read).
      if (state.applied.has(ref) || listed?.has(ref) || nextApplied.has(ref)) {
        // Retention ended: explicit state, so not subject to the guard.
        batch.removed.push(ref);
        batch.commits.push(() => {
          state.forget(ref);
          nextApplied.delete(ref);
          nextRetained.delete(ref);
        });
        retired.add(ref);
        desired.delete(ref);
      }
      return;
    }
    desired.add(ref);
    const current = state.applied.get(ref) === item.changeSeq;
    const shown = listed ? listed.has(ref) : true;
    if (current && shown) {
      nextApplied.set(ref, item.changeSeq);
      if (item.state !== 'active') nextRetained.set(ref, retention.end(item));
    } else if (!placeChange(parts, item, ref, run, batch, nextApplied, nextRetained)) {
      desired.delete(ref);
    }
  });

  if (read.error !== undefined) {
    run.complete = false;
    logger.warn(
      `Machine identity change feed read failed during reconcile after sequence ${read.since}; ` +
        `removing nothing this time: ${stringifyError(read.error)}`,
    );
    // Keep what is known, add what was learned; remove nothing.
    for (const [ref, seq] of nextApplied) state.applied.set(ref, seq);
    for (const [ref, end] of nextRetained) state.retained.set(ref, end);
    state.lastSeq = Math.max(state.lastSeq, read.since);
    return run;
  }

  // Entities the provider or the catalog holds that the inventory no longer has.
  const absent = new Set<string>();
  for (const ref of state.applied.keys()) if (!desired.has(ref)) absent.add(ref);
  if (listed) for (const ref of listed) if (!desired.has(ref) && !retired.has(ref)) absent.add(ref);
  const held = new Set([...state.applied.keys(), ...(listed ?? [])]).size;
  const refused = removalRefusal(absent.size, held, desired.size, parts.guard);
  if (refused) {
    run.refusedRemovals = absent.size;
    logger.warn(refused);
    for (const ref of absent) {
      nextApplied.set(ref, state.applied.get(ref) ?? -1); // keep tracking, retry next reconcile
    }
  } else if (absent.size > 0) {
    await parts.sender.apply({ added: [], removed: [...absent], commits: [] }, run);
  }

  state.applied = nextApplied;
  state.retained = nextRetained;
  state.lastSeq = read.since;
  state.initialized = true;
  logger.info(
    `Reconciled ${desired.size.toLocaleString('en-US')} MachineIdentity entities with the ` +
      `inventory (${run.feedItems.toLocaleString('en-US')} feed items, ${run.added} added or ` +
      `updated, ${run.removed} removed, ${run.refusedRemovals} removals refused, ` +
      `${run.skipped} skipped) in ${run.mutations} mutations, ${((parts.now() - started) / 1000).toFixed(1)}s`,
  );
  return run;
}

/**
 * The refs the catalog shows for the provider today, seeding the namer with
 * their names (they survive restarts); undefined without a lister or when
 * listing failed (then the reconcile trusts the provider's own state).
 */
async function listShown(parts: ProviderParts): Promise<Set<string> | undefined> {
  if (!parts.lister) return undefined;
  try {
    const entities = await parts.lister.list(MACHINE_IDENTITY_LOCATION);
    const listed = new Set<string>();
    for (const entity of entities) {
      listed.add(entity.entityRef);
      if (entity.type && entity.fingerprintSha256) {
        parts.mapping.remember(entity.name, entity.type, entity.fingerprintSha256);
      }
    }
    return listed;
  } catch (error) {
    parts.logger.warn(
      `Could not list MachineIdentity entities from the catalog; reconciling against ` +
        `the provider's own state only: ${stringifyError(error)}`,
    );
    return undefined;
  }
}
