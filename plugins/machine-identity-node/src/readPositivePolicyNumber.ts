import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * Reads an optional positive threshold under `machineIdentity.policies`
 * (`policies` is that config block, `key` e.g. `tls.minRsaBits`), so the
 * core and every module reject a zero or negative value with the same
 * message.
 */
export function readPositivePolicyNumber(policies: Config, key: string): number | undefined {
  const value = policies.getOptionalNumber(key);
  if (value !== undefined && !(value > 0)) {
    throw new InputError(`machineIdentity.policies.${key} must be a positive number, got ${value}`);
  }
  return value;
}
