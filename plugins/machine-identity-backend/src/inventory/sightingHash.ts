import { hash } from 'node:crypto';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';

/**
 * Bump when the way a discovery becomes an identity record or an observation
 * changes, so stored hashes stop matching and the next scan rewrites every row.
 */
const VERSION = 'v1';

/**
 * A hash of everything a discovery contributes to its identity and its
 * observation. A batch skips an identity whose every sighting has the hash of
 * the source's live observation at that location: its record, ownership and
 * policy verdict are what the same input produced last time. `inputVersion`
 * names the rest of the input (the Component index ownership resolves
 * against); review decisions, waivers and clock-driven policy re-evaluate the
 * identities they touch on their own.
 */
export function sightingHash(discovery: MachineIdentityDiscovery, inputVersion = ''): string {
  // The one-shot hash: a Hash object per sighting cost more than the digest.
  return hash('sha256', `${VERSION}\n${inputVersion}\n${JSON.stringify(discovery)}`, 'base64url');
}
