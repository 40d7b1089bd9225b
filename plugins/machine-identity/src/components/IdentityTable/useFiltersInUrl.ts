import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  IdentityFilters,
  filtersFromSearchParams,
  filtersToSearchParams,
} from './filters';

/** Query parameters of the page that are not list filters and must survive a filter change. */
const FILTER_KEYS = ['type', 'state', 'violating', 'q', 'expiresWithinDays', 'owner'];

/**
 * List filters kept in the URL query (`?type=ssh-key&violating=true`), so a
 * copied link reproduces the view; other query parameters are left as they are.
 */
export function useFiltersInUrl(): [IdentityFilters, (next: IdentityFilters) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearchParams(params), [params]);
  const setFilters = useCallback(
    (next: IdentityFilters) =>
      setParams(
        current => {
          const merged = new URLSearchParams(current);
          for (const key of FILTER_KEYS) merged.delete(key);
          for (const [key, value] of filtersToSearchParams(next)) merged.set(key, value);
          return merged;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [filters, setFilters];
}
