/** Scope prefix for "any host": `*:/srv/fleet/` covers `web-1:/srv/fleet/…` and `db-1:/srv/fleet/…`. */
export const ANY_HOST_SCOPE_PREFIX = '*:';

/**
 * Whether positive evidence covers a location, following
 * `ScannerContext.reportCovered`: a scope covers a location equal to it, one
 * that continues it with `:` or `#` (`host:/path` covers `host:/path:12`), and,
 * when the scope ends in `/`, every location under it. A scope starting with
 * `*:` covers a location `<host>:<rest>` (host without `:` or `/`) whenever
 * the scope's remainder covers `<rest>`: evidence about a path whatever host
 * name the location carries (a fleet folder listed without a host's folder).
 */
export function coverageOf(scopes: Iterable<string>): (location: string) => boolean {
  const exact = new Set<string>();
  const anyHost = new Set<string>();
  for (const scope of scopes) {
    if (scope.startsWith(ANY_HOST_SCOPE_PREFIX)) anyHost.add(scope.slice(ANY_HOST_SCOPE_PREFIX.length));
    else exact.add(scope);
  }
  const covers = (set: Set<string>, location: string) => {
    if (set.size === 0) return false;
    if (set.has(location)) return true;
    for (let i = 0; i < location.length; i++) {
      const c = location[i];
      if ((c === ':' || c === '#') && set.has(location.slice(0, i))) return true;
      if (c === '/' && set.has(location.slice(0, i + 1))) return true;
    }
    return false;
  };
  return location => {
    if (covers(exact, location)) return true;
    if (anyHost.size === 0) return false;
    const colon = location.indexOf(':');
    if (colon <= 0 || location.slice(0, colon).includes('/')) return false;
    return covers(anyHost, location.slice(colon + 1));
  };
}
