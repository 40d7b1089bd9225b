import type { Knex } from 'knex';
import type { IdentityAccessFilter } from './types';

/**
 * Adds the caller's access conditions to a query on `identities` (columns
 * prefixed with `prefix`, e.g. `i.` when joined). Owner refs compare
 * lower-case, as stored; an identity is an orphan when its owner is the
 * fallback or unknown.
 */
export function applyAccessFilter(q: Knex.QueryBuilder, filter: IdentityAccessFilter | undefined, prefix = ''): void {
  if (filter) {
    q.where(w => addCondition(w, filter, prefix));
  }
}

function addCondition(q: Knex.QueryBuilder, filter: IdentityAccessFilter, prefix: string): void {
  const col = (name: string) => `${prefix}${name}`;
  if ('allOf' in filter) {
    for (const part of filter.allOf) q.andWhere(w => addCondition(w, part, prefix));
    return;
  }
  if ('anyOf' in filter) {
    if (filter.anyOf.length === 0) q.whereRaw('1 = 0');
    for (const part of filter.anyOf) q.orWhere(w => addCondition(w, part, prefix));
    return;
  }
  if ('not' in filter) {
    q.whereNot(w => addCondition(w, filter.not, prefix));
    return;
  }
  switch (filter.key) {
    case 'owner':
      if (filter.values.length === 0) q.whereRaw('1 = 0');
      else q.whereIn(col('owner'), filter.values.map(v => v.toLowerCase()));
      return;
    case 'type':
      if (filter.values.length === 0) q.whereRaw('1 = 0');
      else q.whereIn(col('type'), filter.values);
      return;
    case 'orphan':
      if (filter.value) {
        q.where(w => w.where(col('ownership_rule'), 'fallback').orWhereNull(col('owner')));
      } else {
        q.whereNot(col('ownership_rule'), 'fallback').whereNotNull(col('owner'));
      }
      return;
    default:
      throw new TypeError(`Unknown identity access condition ${JSON.stringify(filter)}`);
  }
}
