import type { InventoryDatabase } from './InventoryDatabase';

/** Observations read per range read: a few places' worth when each holds few, one place's start when it holds many. */
const ROWS_PER_READ = 64;

/** The place one level below `under` that `location` is in: `under`, one segment and `/`, or the whole location. */
function scopeOf(location: string, under: string): string {
  const slash = location.indexOf('/', under.length);
  return slash < 0 ? location : location.slice(0, slash + 1);
}

/**
 * One range read: the next live locations of the source in byte order from
 * `bound` on (after it unless `inclusive`), from observations_source_live_location_idx.
 *
 * @internal
 */
export function liveLocationsFrom(database: InventoryDatabase, from: { sourceId: string; bound: string; inclusive: boolean }) {
  // The index keys location in byte order; the query must compare and sort in it too to use the index.
  const location = database.isPostgres ? 'location COLLATE "C"' : 'location';
  return database
    .knex('observations')
    .select('location')
    .where('source_id', from.sourceId)
    .whereNull('gone_at')
    .whereRaw(`${location} ${from.inclusive ? '>=' : '>'} ?`, [from.bound])
    .orderByRaw(location)
    .limit(ROWS_PER_READ);
}

/**
 * The distinct places one level below `under` where the source's live
 * observations are (see `ScannerContext.lastSeenScopes`), in byte order of
 * their locations. A loose index scan over observations_source_live_location_idx:
 * each read takes the next rows from a bound on, and the bound then skips every
 * location of the last place found (`a/b/` → from `a/b0`: in byte order every
 * location starting with `a/b/` sorts below it). So a place costs at most one
 * indexed read, however many identities were seen in it, and a source of
 * 300,000 identities in 2,000 namespaces is 2,000 short reads, never the rows.
 * Each read is its own statement: no transaction is held while the caller
 * iterates.
 *
 * @internal
 */
export async function* readLastSeenScopes(database: InventoryDatabase, sourceId: string, under: string): AsyncGenerator<string> {
  let bound = under;
  let inclusive = true;
  for (;;) {
    const rows: Array<{ location: string }> = await liveLocationsFrom(database, { sourceId, bound, inclusive });
    let last: string | undefined;
    for (const row of rows) {
      if (!row.location.startsWith(under)) return;
      const scope = scopeOf(row.location, under);
      if (scope === last) continue;
      last = scope;
      yield scope;
    }
    if (rows.length < ROWS_PER_READ || last === undefined) return;
    // Past every location of the last place: a `/` place ends below its prefix with `/` moved up to `0`; a place that
    // is one location ends at itself.
    inclusive = last.endsWith('/');
    bound = inclusive ? `${last.slice(0, -1)}0` : last;
  }
}
