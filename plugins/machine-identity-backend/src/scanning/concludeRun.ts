import type { ScanError } from '@keyring/plugin-machine-identity-common';
import type { StoreTransaction } from '../database/InventoryDatabase';
import type { InventoryStores, ScanRunUpdate } from '../database/types';
import { coverageOf } from '../inventory/coverage';
import { retireUnseen } from '../inventory/retireUnseen';

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** How a run ends: its status so far, its evidence and its counters. */
export interface RunConclusion {
  scanId: string;
  sourceId: string;
  status: 'succeeded' | 'partial' | 'failed';
  /** Scopes the scanner reported as covered. */
  covered: Iterable<string>;
  /** `machineIdentity.retirement.maxShare`. */
  maxShare: number;
  /** The run's lease: a run that lost it (failed by the sweep, superseded) writes nothing. */
  leaseToken?: string;
  /** Adds a problem to the run (`incomplete` makes it partial). */
  record(problem: ScanError, incomplete: boolean): void;
  /** The run's counters and problems, read after retirement added its own. */
  final(): Omit<ScanRunUpdate, 'status' | 'retired' | 'heldRetirement' | 'finishedAt'>;
}

/**
 * Ends a run in one transaction: the run's logged unchanged sightings move
 * their observations' `last_seen` / `last_scan_id`, a succeeded run applies the retirement rule
 * (it becomes partial when it had to keep identities it could not vouch for),
 * then the run's final status, counters and problems are written.
 */
export async function concludeRun(
  stores: InventoryStores,
  run: RunConclusion,
  /** The transaction to end the run in (a sharded run's last shard holds one). */
  outer?: StoreTransaction,
): Promise<{ status: RunConclusion['status']; retired: string[] }> {
  return stores.transaction(async tx => {
    if (run.leaseToken) {
      await stores.scanRuns.assertLease(run.scanId, run.leaseToken, tx);
    }
    // Whatever the status, what the run saw unchanged was seen: last_seen moves first, set-based.
    await stores.sightings.apply(run.scanId, run.sourceId, tx);
    const now = new Date().toISOString();
    let status = run.status;
    let retired: string[] = [];
    let held: string[] = [];
    if (status === 'succeeded') {
      const outcome = await retireUnseen(
        stores,
        { scanId: run.scanId, sourceId: run.sourceId, now, isCovered: coverageOf(run.covered), maxShare: run.maxShare },
        tx,
      );
      retired = outcome.retired;
      held = outcome.held;
      if (outcome.kept > 0) {
        status = 'partial';
        run.record(
          {
            message: `Kept ${fmt(outcome.kept)} identities this run did not see: the scanner reported no positive evidence (a refused connection, a different certificate, a completely read file or folder) for where they were last seen, e.g. a timeout or an unreadable place, so they stay active`,
          },
          true,
        );
      }
      if (held.length > 0) {
        run.record(
          {
            message: `Held back retiring ${fmt(held.length)} of ${fmt(outcome.activeInSource)} active identities of source ${run.sourceId} (${pct(held.length / Math.max(1, outcome.activeInSource))}, above machineIdentity.retirement.maxShare ${pct(run.maxShare)}): the next run of the source retires them if it confirms they are gone`,
          },
          false,
        );
      }
    }
    await stores.scanRuns.update(
      run.scanId,
      { ...run.final(), status, finishedAt: now, retired: retired.length, heldRetirement: held },
      tx,
      run.leaseToken,
    );
    return { status, retired };
  }, outer);
}
