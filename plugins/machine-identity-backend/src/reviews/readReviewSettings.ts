import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { type Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, type HumanDuration } from '@backstage/types';
import type { ReviewSettings } from './types';

/** Default `machineIdentity.reviews.every`: a quarter. */
export const DEFAULT_REVIEW_EVERY: HumanDuration = { months: 3 };
/** Default `machineIdentity.reviews.dueIn`. */
export const DEFAULT_REVIEW_DUE_IN: HumanDuration = { days: 30 };
/**
 * Default `machineIdentity.reviews.schedule`: how often the reviews task
 * checks for Groups due a campaign and for overdue campaigns. Campaigns
 * themselves open every `reviews.every`.
 */
export const DEFAULT_REVIEW_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 1 },
  timeout: { minutes: 15 },
  initialDelay: { minutes: 2 },
};

/** `machineIdentity.reviews` with its defaults. */
export interface ReviewConfig extends ReviewSettings {
  everyMs: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** `false` when `reviews.enabled` is false: no scheduled campaigns (admins may still open them). */
  scheduled: boolean;
}

/** Reads `machineIdentity.reviews` and `machineIdentity.fallbackOwner`. */
export function readReviewSettings(config: Config): ReviewConfig {
  const reviews = config.getOptionalConfig('machineIdentity.reviews');
  const duration = (key: string, fallback: HumanDuration) =>
    durationToMilliseconds(reviews?.has(key) ? readDurationFromConfig(reviews, { key }) : fallback);
  const schedule = reviews?.getOptionalConfig('schedule');
  return {
    everyMs: duration('every', DEFAULT_REVIEW_EVERY),
    dueInMs: duration('dueIn', DEFAULT_REVIEW_DUE_IN),
    fallbackOwner: config.getOptionalString('machineIdentity.fallbackOwner')?.toLowerCase(),
    schedule: schedule ? readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule) : DEFAULT_REVIEW_SCHEDULE,
    scheduled: reviews?.getOptionalBoolean('enabled') ?? true,
    requireSecondReviewer: reviews?.getOptionalBoolean('requireSecondReviewer') ?? false,
  };
}
