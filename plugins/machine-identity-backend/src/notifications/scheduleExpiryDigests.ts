import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type LoggerService,
  type SchedulerService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { ExpiryDigestNotifier } from './ExpiryDigestNotifier';

/**
 * Default schedule: hourly. The notifier sends at most one digest per owner
 * per day, so hourly runs only make the first digest of the day arrive soon
 * after midnight UTC (or after a restart), never a second one.
 */
export const DEFAULT_DIGEST_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 1 },
  timeout: { minutes: 15 },
  initialDelay: { minutes: 1 },
};

/**
 * Schedules the expiry digest as the task `machine-identity-expiry-digest`,
 * on `machineIdentity.notifications.schedule` or {@link DEFAULT_DIGEST_SCHEDULE};
 * does nothing when `machineIdentity.notifications.enabled` is false.
 */
export async function scheduleExpiryDigests(options: {
  config: Config;
  scheduler: SchedulerService;
  logger: LoggerService;
  notifier: ExpiryDigestNotifier;
}): Promise<void> {
  const { config, scheduler, logger, notifier } = options;
  if (config.getOptionalBoolean('machineIdentity.notifications.enabled') === false) {
    logger.info('Expiry digest notifications are disabled (machineIdentity.notifications.enabled: false)');
    return;
  }
  const scheduleConfig = config.getOptionalConfig('machineIdentity.notifications.schedule');
  const schedule = scheduleConfig
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
    : DEFAULT_DIGEST_SCHEDULE;
  await scheduler.scheduleTask({
    id: 'machine-identity-expiry-digest',
    ...schedule,
    fn: async () => {
      // run() logs and counts its own failures; this guard keeps the task alive on the unexpected.
      try {
        await notifier.run();
      } catch (error) {
        logger.error(`Expiry digest run failed: ${error}`);
      }
    },
  });
}
