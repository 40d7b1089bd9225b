import type { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { ConfiguredSource } from './readSources';
import { shardTaskId } from './shardRuns';

/** How often a shard waiting for a slot on this replica looks again. */
const SLOT_WAIT_MS = 250;

/**
 * Runs the shards of a manual scan whose scheduler tasks stay claimed — by a
 * process that died, until the task's timeout and a janitor — on this replica,
 * at most `shardsPerReplica` of the source at once (`busy()`: its shards
 * running here, however they started; `run` counts itself in before its first
 * await). A shard that finds no slot waits for one, then first offers its task
 * back to the scheduler as a busy replica does (once the dead claim was
 * cleared, the scheduler runs it on whichever replica polls first); while the
 * task stays claimed no other replica can be given it, so it runs here.
 * claimShard keeps every shard exclusive either way.
 */
export async function runClaimedShards(options: {
  scheduler: Pick<SchedulerService, 'triggerTask'>;
  source: ConfiguredSource;
  indexes: number[];
  busy: () => number;
  run: (index: number) => Promise<void>;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, source, indexes, busy, run, logger } = options;
  const runs: Promise<void>[] = [];
  for (const index of indexes) {
    if (busy() >= source.shardsPerReplica) {
      logger.info(`Shard ${index + 1}/${source.shards} of source ${source.id} waits: this backend runs ${busy()} of its shards`);
      while (busy() >= source.shardsPerReplica) await new Promise(r => setTimeout(r, SLOT_WAIT_MS));
      try {
        await scheduler.triggerTask(shardTaskId(source.id, index));
        continue;
      } catch (error) {
        if (!isError(error) || error.name !== 'ConflictError') {
          logger.warn(`Shard ${index + 1}/${source.shards} of source ${source.id} runs here: offering its task back failed: ${isError(error) ? error.message : String(error)}`);
        }
      }
    }
    runs.push(run(index));
  }
  await Promise.all(runs);
}
