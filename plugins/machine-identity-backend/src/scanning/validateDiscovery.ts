import { IDENTITY_TYPES } from '@keyring/plugin-machine-identity-common';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';

const FINGERPRINT = /^[0-9a-f]{64}$/;
const MAX_TEXT = 2000;

/**
 * Checks a discovery streamed by a scanner; returns why it is unusable, or
 * undefined. Scanners are plugins of varying quality: bad input is recorded
 * on the run, never allowed to crash it or reach the database.
 */
export function validateDiscovery(d: unknown): string | undefined {
  if (!d || typeof d !== 'object') {
    return 'discovery is not an object';
  }
  const x = d as Partial<MachineIdentityDiscovery>;
  if (!IDENTITY_TYPES.includes(x.type as never)) {
    return `unknown identity type ${JSON.stringify(String(x.type)).slice(0, 60)}`;
  }
  if (typeof x.fingerprintSha256 !== 'string' || !FINGERPRINT.test(x.fingerprintSha256)) {
    return 'fingerprintSha256 is not 64 lower-case hex characters';
  }
  if (typeof x.displayName !== 'string' || !x.displayName || x.displayName.length > MAX_TEXT) {
    return 'displayName is missing or longer than 2000 characters';
  }
  if (typeof x.location !== 'string' || !x.location || x.location.length > MAX_TEXT) {
    return 'location is missing or longer than 2000 characters';
  }
  if (x.attributes !== undefined && (typeof x.attributes !== 'object' || x.attributes === null || Array.isArray(x.attributes))) {
    return 'attributes is not an object';
  }
  if (x.details !== undefined && (typeof x.details !== 'object' || x.details === null || Array.isArray(x.details))) {
    return 'details is not an object';
  }
  if (x.management !== undefined && !['automated', 'manual', 'unmanaged'].includes(x.management)) {
    return 'management is not automated, manual or unmanaged';
  }
  return undefined;
}
