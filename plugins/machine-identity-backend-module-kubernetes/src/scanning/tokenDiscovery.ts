import type { IdentityLinks, MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';

/** Where a token was found. */
export interface TokenPlace {
  location: string;
  displayName: string;
  details: Record<string, unknown>;
  extra: Record<string, string | number | boolean>;
  links?: IdentityLinks;
  /** When the API server last saw the token used (ISO-8601), if it tracks it. */
  lastUsedAt?: string;
}

const iso = (seconds: unknown) =>
  typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 && seconds < 1e11
    ? new Date(seconds * 1000).toISOString()
    : undefined;

/**
 * Validity of a JWT-shaped token from its payload's `iat` and `exp` claims
 * (read, never verified; the signature and the rest are not kept). A legacy
 * service-account token has no `exp`: it never expires.
 */
export function jwtValidity(token: string): { notBefore?: string; notAfter?: string; jwt: boolean } {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return { jwt: false };
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!claims || typeof claims !== 'object') return { jwt: false };
    return { notBefore: iso(claims.iat ?? claims.nbf), notAfter: iso(claims.exp), jwt: true };
  } catch {
    return { jwt: false };
  }
}

/**
 * A discovery of one token: identified by `fingerprint` (the HMAC the engine
 * computes with its server-side key); the value itself goes no further.
 */
export function tokenDiscovery(value: Buffer, fingerprint: (value: Buffer) => string, place: TokenPlace): MachineIdentityDiscovery {
  const validity = jwtValidity(value.toString('utf8').trim());
  return {
    type: 'api-token',
    fingerprintSha256: fingerprint(value),
    displayName: place.displayName,
    attributes: {
      storage: 'kubernetes-secret',
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      lastUsedAt: place.lastUsedAt,
      extra: { ...place.extra, format: validity.jwt ? 'jwt' : 'opaque' },
    },
    location: place.location,
    details: place.details,
    links: place.links,
  };
}
