import { createHash } from 'node:crypto';

/**
 * The opaque inventory id of an identity: derived from type + fingerprint so
 * every replica computes the same id without a round trip.
 */
export function identityId(type: string, fingerprintSha256: string): string {
  return createHash('sha256')
    .update(`${type}:${fingerprintSha256}`)
    .digest('hex')
    .slice(0, 32);
}
