import {
  type SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { Duration } from 'luxon';
import type { ScanSourceConfig } from '@keyring/plugin-machine-identity-node';

/** A configured source with its effective schedule. */
export interface ConfiguredSource extends ScanSourceConfig {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Milliseconds after which a run is aborted. */
  timeoutMs: number;
  /** Scheduled shards of one run (`shards`, default 1): one scheduler task each, run on any replica. */
  shards: number;
  /** Shards of one run a replica runs at once (`shardsPerReplica`, default 1); a busy replica hands further shards back. */
  shardsPerReplica: number;
}

/** Default schedule of a source: every 6 hours, 30 minutes at most, first run shortly after start. */
export const DEFAULT_SOURCE_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 6 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 30 },
};

const SOURCE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function durationMs(d: SchedulerServiceTaskScheduleDefinition['timeout']): number {
  return typeof d === 'string'
    ? Duration.fromISO(d).toMillis()
    : durationToMilliseconds(d);
}

/** Reads `machineIdentity.sources`; ids must be unique kebab-case. */
export function readSources(config: Config): ConfiguredSource[] {
  const sources: ConfiguredSource[] = [];
  const seen = new Set<string>();
  for (const source of config.getOptionalConfigArray('machineIdentity.sources') ?? []) {
    const id = source.getString('id');
    if (!SOURCE_ID.test(id)) {
      throw new InputError(`machineIdentity.sources id "${id}" must be kebab-case`);
    }
    if (seen.has(id)) {
      throw new InputError(`machineIdentity.sources lists id "${id}" twice`);
    }
    seen.add(id);
    const schedule = source.has('schedule')
      ? {
          ...DEFAULT_SOURCE_SCHEDULE,
          ...Object.fromEntries(
            Object.entries(
              readSchedulerServiceTaskScheduleDefinitionFromConfig(
                source.getConfig('schedule'),
              ),
            ).filter(([, v]) => v !== undefined),
          ),
        }
      : DEFAULT_SOURCE_SCHEDULE;
    const shards = source.getOptionalNumber('shards') ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > 256) {
      throw new InputError(`machineIdentity.sources "${id}" shards must be an integer from 1 to 256, got ${shards}`);
    }
    const shardsPerReplica = source.getOptionalNumber('shardsPerReplica') ?? 1;
    if (!Number.isInteger(shardsPerReplica) || shardsPerReplica < 1) {
      throw new InputError(`machineIdentity.sources "${id}" shardsPerReplica must be a positive integer, got ${shardsPerReplica}`);
    }
    sources.push({
      id,
      type: source.getString('type'),
      config: source,
      schedule,
      timeoutMs: durationMs(schedule.timeout),
      shards,
      shardsPerReplica,
    });
  }
  return sources;
}
