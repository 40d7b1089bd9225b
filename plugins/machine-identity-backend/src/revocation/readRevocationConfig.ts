import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** The revocation workflow's settings (`machineIdentity.revocation`). */
export interface RevocationSettings {
  /** `spec.lifecycle` values that retire a Component. */
  retiredLifecycles: string[];
  /** How long a Component must be missing from the catalog before its credentials are requested for revocation. */
  removalGraceMs: number;
  /** Wait between approval and execution. */
  executionGraceMs: number;
  /** A request not approved within this time expires. */
  approvalTimeoutMs: number;
  /** Identity used as requester of automatic (catalog) requests. */
  systemActor: string;
  /** Schedule of the catalog watch and the execution/expiry pass. */
  schedule: SchedulerServiceTaskScheduleDefinition;
}

/** Default schedule of `machine-identity-revocation`. */
export const DEFAULT_REVOCATION_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 45 },
};

const HOUR_MS = 3_600_000;

function durationMs(config: Config | undefined, key: string, fallbackMs: number): number {
  if (!config?.has(key)) return fallbackMs;
  return durationToMilliseconds(readDurationFromConfig(config, { key }));
}

/** Reads `machineIdentity.revocation` with its defaults. */
export function readRevocationConfig(config: Config): RevocationSettings {
  const c = config.getOptionalConfig('machineIdentity.revocation');
  return {
    retiredLifecycles: c?.getOptionalStringArray('lifecycles') ?? ['decommissioned'],
    removalGraceMs: durationMs(c, 'removalGracePeriod', 24 * HOUR_MS),
    executionGraceMs: durationMs(c, 'executionGracePeriod', 0),
    approvalTimeoutMs: durationMs(c, 'approvalTimeout', 7 * 24 * HOUR_MS),
    systemActor: 'plugin:machine-identity',
    schedule: c?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(c.getConfig('schedule'))
      : DEFAULT_REVOCATION_SCHEDULE,
  };
}
