import { readDurationFromConfig, type Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/**
 * Reads an optional duration key (Backstage `HumanDuration` object or ISO 8601
 * string, as `readDurationFromConfig` accepts) as milliseconds, or `fallbackMs`
 * when the key is absent. Throws an `InputError` naming the key when the
 * duration is not positive.
 */
export function readOptionalDurationMs(config: Config, key: string, fallbackMs: number): number {
  if (!config.has(key)) return fallbackMs;
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!(ms > 0)) throw new InputError(`${key} must be a positive duration`);
  return ms;
}
