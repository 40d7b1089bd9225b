import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type LoggerService,
  type SchedulerService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { OwnershipRefresher } from './OwnershipRefresher';

/** Default schedule of the ownership re-resolution (`machineIdentity.ownership.schedule`). */
export const DEFAULT_OWNERSHIP_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 20 },
};

/**
 * How often each replica checks whether the catalog has Components yet, until
 * one of its re-resolutions has seen some: a fresh portal whose first scans
 * ran before catalog ingestion links its identities within seconds of
 * ingestion instead of at the next scheduled re-resolution.
 */
export const OWNERSHIP_CATCH_UP_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 10 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 30 },
  scope: 'local',
};

/**
 * Schedules `machine-identity-ownership` (on `machineIdentity.ownership.schedule`
 * or {@link DEFAULT_OWNERSHIP_SCHEDULE}) and the local catch-up task
 * `machine-identity-ownership-catch-up`.
 */
export async function scheduleOwnershipRefresh(options: {
  config: Config;
  scheduler: SchedulerService;
  logger: LoggerService;
  refresher: OwnershipRefresher;
}): Promise<void> {
  const { config, scheduler, logger, refresher } = options;
  const scheduleConfig = config.getOptionalConfig('machineIdentity.ownership.schedule');
  await scheduler.scheduleTask({
    id: 'machine-identity-ownership',
    ...(scheduleConfig
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
      : DEFAULT_OWNERSHIP_SCHEDULE),
    fn: async () => {
      try {
        await refresher.reresolve();
      } catch (error) {
        logger.error(`Ownership re-resolution failed: ${error}`);
      }
    },
  });
  await scheduler.scheduleTask({
    id: 'machine-identity-ownership-catch-up',
    ...OWNERSHIP_CATCH_UP_SCHEDULE,
    fn: async () => {
      try {
        await refresher.catchUp();
      } catch (error) {
        logger.error(`Ownership catch-up after catalog ingestion failed: ${error}`);
      }
    },
  });
}
