import type { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import type { CampaignService } from './CampaignService';
import type { OverdueEscalator } from './OverdueEscalator';
import type { ReviewConfig } from './readReviewSettings';

/**
 * Schedules `machine-identity-reviews` (once across replicas): opens the
 * campaigns of Groups due one (every `reviews.every`), then turns campaigns
 * past due overdue and escalates them. Never throws out of the task.
 */
export async function scheduleReviews(options: {
  settings: ReviewConfig;
  scheduler: SchedulerService;
  logger: LoggerService;
  campaigns: CampaignService;
  escalator: OverdueEscalator;
}): Promise<void> {
  const { settings, scheduler, campaigns, escalator } = options;
  const logger = options.logger.child({ task: 'machine-identity-reviews' });
  await scheduler.scheduleTask({
    id: 'machine-identity-reviews',
    ...settings.schedule,
    fn: async () => {
      try {
        if (settings.scheduled) await campaigns.openScheduled();
        await escalator.run();
      } catch (error) {
        logger.error(`Scheduled ownership review run failed: ${error}`);
      }
    },
  });
}
