import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { type Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** Settings of the MachineIdentity entity provider (`machineIdentity.catalog`). */
export interface MachineIdentityProviderConfig {
  /** How long gone and revoked identities stay in the catalog, in ms. */
  retentionMs: number;
  /** Delta poll of the change feed. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Full reconcile that repairs drift. */
  reconcileSchedule: SchedulerServiceTaskScheduleDefinition;
  /** Feed page size and entities per catalog mutation. */
  batchSize: number;
  /** Refuse a reconcile that would remove more than this share of the provider's entities… */
  removalGuardMaxShare: number;
  /** …when it would also remove more than this many. */
  removalGuardMinCount: number;
  /** Catalog namespace of the entities. */
  namespace: string;
  /** Whether the processor also emits `ownerOf`/`dependsOn` from the Group and Component. */
  ownerSideRelations: boolean;
  /** Feed items sent grouped by owner and component at a time; 0 sends pages in feed order. */
  orderWindow: number;
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 30 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 15 },
};
const DEFAULT_RECONCILE_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 6 },
  timeout: { hours: 1 },
  initialDelay: { seconds: 10 },
};

/** Reads `machineIdentity.catalog` with its defaults. */
export function readProviderConfig(root: Config): MachineIdentityProviderConfig {
  const config = root.getOptionalConfig('machineIdentity.catalog');
  const retentionMs = config?.has('retention')
    ? durationToMilliseconds(readDurationFromConfig(config, { key: 'retention' }))
    : durationToMilliseconds({ days: 30 });
  const batchSize = config?.getOptionalNumber('batchSize') ?? 1000;
  const maxShare = config?.getOptionalNumber('removalGuard.maxShare') ?? 0.5;
  const minCount = config?.getOptionalNumber('removalGuard.minCount') ?? 100;
  const orderWindow = config?.getOptionalNumber('orderWindow') ?? 10_000;
  if (!Number.isInteger(orderWindow) || orderWindow < 0) {
    throw new InputError('machineIdentity.catalog.orderWindow must be an integer of 0 or more');
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new InputError('machineIdentity.catalog.batchSize must be an integer from 1 to 10000');
  }
  if (!(maxShare >= 0 && maxShare <= 1)) {
    throw new InputError('machineIdentity.catalog.removalGuard.maxShare must be between 0 and 1');
  }
  return {
    retentionMs,
    schedule: config?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('schedule'))
      : DEFAULT_SCHEDULE,
    reconcileSchedule: config?.has('reconcileSchedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('reconcileSchedule'),
        )
      : DEFAULT_RECONCILE_SCHEDULE,
    batchSize,
    removalGuardMaxShare: maxShare,
    removalGuardMinCount: minCount,
    namespace: config?.getOptionalString('namespace') ?? 'default',
    ownerSideRelations: config?.getOptionalBoolean('ownerSideRelations') ?? true,
    orderWindow,
  };
}
