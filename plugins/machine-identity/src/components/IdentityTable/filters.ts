import type {
  IdentityState,
  IdentityType,
} from '@keyring/plugin-machine-identity-common';
import {
  IDENTITY_STATES,
  IDENTITY_TYPES,
} from '@keyring/plugin-machine-identity-common';
import type { IdentityQuery } from '../../api/MachineIdentityApi';

/** The filters a user can change in an identity list. */
export type IdentityFilters = Pick<
  IdentityQuery,
  'type' | 'state' | 'violating' | 'q' | 'expiresWithinDays' | 'owner'
>;

/** Whether any filter is set. */
export function hasFilters(filters: IdentityFilters): boolean {
  return Object.values(filters).some(v => v !== undefined && v !== '');
}

/** Reads list filters from URL search params, ignoring invalid values. */
export function filtersFromSearchParams(params: URLSearchParams): IdentityFilters {
  const filters: IdentityFilters = {};
  const type = params.get('type');
  if (type && IDENTITY_TYPES.includes(type as IdentityType)) {
    filters.type = type as IdentityType;
  }
  const state = params.get('state');
  if (state && IDENTITY_STATES.includes(state as IdentityState)) {
    filters.state = state as IdentityState;
  }
  if (params.get('violating') === 'true') {
    filters.violating = true;
  }
  const q = params.get('q');
  if (q) {
    filters.q = q;
  }
  const owner = params.get('owner');
  if (owner) {
    filters.owner = owner;
  }
  const days = params.get('expiresWithinDays');
  if (days !== null && /^\d+$/.test(days)) {
    filters.expiresWithinDays = Number(days);
  }
  return filters;
}

/** Writes list filters as URL search params (only the ones set). */
export function filtersToSearchParams(filters: IdentityFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '' && value !== false) {
      params.set(key, String(value));
    }
  }
  return params;
}

/** A link target (search string) for a filtered list. */
export function filterLink(filters: IdentityFilters): string {
  return `?${filtersToSearchParams(filters).toString()}`;
}
