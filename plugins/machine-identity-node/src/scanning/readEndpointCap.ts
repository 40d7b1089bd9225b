import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Most connections one scan of a source may plan when `maxEndpoints` is not set (an IPv4 /16 on two ports). */
export const DEFAULT_MAX_ENDPOINTS = 131_072;

/**
 * Checks a source's planned connections (addresses × ports × SNI names)
 * against its `maxEndpoints` (default {@link DEFAULT_MAX_ENDPOINTS}); throws an
 * `InputError` saying how to fix the config when the plan is larger.
 */
export function checkEndpointCap(config: Config, planned: number): void {
  const cap = config.getOptionalNumber('maxEndpoints') ?? DEFAULT_MAX_ENDPOINTS;
  if (!Number.isInteger(cap) || cap < 1) throw new InputError(`maxEndpoints must be a positive integer, got ${cap}`);
  if (planned > cap) {
    throw new InputError(
      `This source plans ${planned.toLocaleString('en-US')} connections (addresses × ports × server names), ` +
        `more than maxEndpoints (${cap.toLocaleString('en-US')}); narrow the targets or raise maxEndpoints`,
    );
  }
}
