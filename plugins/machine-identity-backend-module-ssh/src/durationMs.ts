import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';

const MS: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
  months: 2_592_000_000,
  years: 31_536_000_000,
};

/** Reads an optional Backstage HumanDuration (or ISO duration) as milliseconds. */
export function readOptionalDurationMs(config: Config, key: string, fallbackMs: number): number {
  if (!config.has(key)) return fallbackMs;
  const duration = readDurationFromConfig(config, { key }) as Record<string, number | undefined>;
  let total = 0;
  for (const [unit, value] of Object.entries(duration)) total += (value ?? 0) * (MS[unit] ?? 0);
  return total;
}
