import { randomUUID } from 'node:crypto';
import type { ScanRun } from '@keyring/plugin-machine-identity-common';
import type { StoreTransaction } from '../database/InventoryDatabase';
import type { ScanRunStore } from '../database/types';
import { RunLease, STALE_AFTER_MS } from './RunLease';

/** A running run older than its source's timeout plus this is not live, whatever its heartbeat says. */
export const ABANDON_GRACE_MS = 5 * 60_000;

/** A claimed run of a source, held under `token`, or the run that holds a live lease on it (under `token`). */
export type SourceClaimOutcome =
  | { claimed: true; scanId: string; token: string; abandoned: number }
  | { claimed: false; live: ScanRun; token: string };

/**
 * Claims a new run of a source under Keyring's own lease, exclusively across
 * replicas: nothing is claimed while another run of the source holds a live
 * lease (running, a heartbeat within {@link STALE_AFTER_MS}, younger than the
 * source's timeout plus {@link ABANDON_GRACE_MS}) — a new run never supersedes
 * a live one. Claimed runs of the source without a live lease (their process
 * died) are failed by the claim.
 *
 * Used by scheduled runs (which take a queued manual request if there is one)
 * and by a manual scan the scheduler refuses because its task is still claimed
 * by a process that died (the claim lasts until the task's timeout and a
 * scheduler janitor): Keyring's lease, not the scheduler's claim, decides.
 * Sharded sources claim their runs through it too (`claimShard`, inside its
 * own transaction, which then claims a shard of the claimed or live run).
 */
export async function claimSourceRun(options: {
  runs: ScanRunStore;
  sourceId: string;
  timeoutMs: number;
  trigger: 'schedule' | 'manual';
  /** Takes the oldest queued manual run of the source instead of creating one. */
  takeQueued: boolean;
  /** The id of a new run (default: a random one). */
  scanId?: string;
  now?: number;
  /** Recorded on the abandoned runs the claim fails. */
  abandonedReason?: string;
  /** Claims inside this transaction (which keeps the source's claim lock until it ends). */
  tx?: StoreTransaction;
}): Promise<SourceClaimOutcome> {
  const now = options.now ?? Date.now();
  const token = RunLease.newToken();
  const result = await options.runs.claimSource({
    sourceId: options.sourceId,
    trigger: options.trigger,
    now: new Date(now).toISOString(),
    leaseToken: token,
    newId: options.scanId ?? randomUUID(),
    heartbeatSince: new Date(now - STALE_AFTER_MS).toISOString(),
    startedAfter: new Date(now - options.timeoutMs - ABANDON_GRACE_MS).toISOString(),
    takeQueued: options.takeQueued,
    abandonedReason: options.abandonedReason ?? 'Abandoned: the backend stopped or lost the run before it finished',
    tx: options.tx,
  });
  return 'live' in result
    ? { claimed: false, live: result.live, token: result.leaseToken }
    : { claimed: true, scanId: result.scanId, token, abandoned: result.abandoned };
}
