import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { ScanSignals } from './ScanSignals';

/**
 * Every 5 seconds on each replica (a local task), signals the owners and
 * Components whose identities moved in the change feed since the last
 * signal, whoever moved them: reviews, waivers, the hourly evaluation,
 * ownership re-resolution, another replica's scan. A scan on this replica
 * signals its own batches at once; both share one feed position, so no
 * change is signalled twice by one replica.
 */
export async function scheduleInventorySignals(options: { scheduler: SchedulerService; signals: ScanSignals }): Promise<void> {
  const { scheduler, signals } = options;
  await scheduler.scheduleTask({
    id: 'machine-identity-inventory-signals',
    scope: 'local',
    frequency: { seconds: 5 },
    timeout: { seconds: 30 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      await signals.follow();
      await signals.inventoryChanged();
    },
  });
}
