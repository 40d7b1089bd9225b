/**
 * Whether positive evidence covers a location, following
 * `ScannerContext.reportCovered`: a scope covers a location equal to it, one
 * that continues it with `:` or `#` (`host:/path` covers `host:/path:12`), and,
 * when the scope ends in `/`, every location under it.
 */
export function coverageOf(scopes: Iterable<string>): (location: string) => boolean {
  const set = new Set(scopes);
  return location => {
    if (set.has(location)) return true;
    for (let i = 0; i < location.length; i++) {
      const c = location[i];
      if ((c === ':' || c === '#') && set.has(location.slice(0, i))) return true;
      if (c === '/' && set.has(location.slice(0, i + 1))) return true;
    }
    return false;
  };
}
