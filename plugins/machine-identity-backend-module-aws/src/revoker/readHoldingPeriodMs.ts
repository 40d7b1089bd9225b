import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { InputError } from '@backstage/errors';

const KEY = 'machineIdentity.aws.revocation.holdingPeriod';
/** Default time an access key stays deactivated before it is deleted. */
export const DEFAULT_HOLDING_PERIOD_MS = 7 * 86_400_000;

/** Reads `machineIdentity.aws.revocation.holdingPeriod` (a HumanDuration, e.g. `{ days: 7 }`). */
export function readHoldingPeriodMs(config: Config): number {
  if (!config.has(KEY)) return DEFAULT_HOLDING_PERIOD_MS;
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key: KEY }));
  if (!(ms >= 0)) throw new InputError(`${KEY} must not be negative`);
  return ms;
}
