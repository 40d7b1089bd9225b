import type { Knex } from 'knex';
import { EXPIRING_SOON_DAYS, NO_EXPIRY, decodeUrgencyCursor, encodeUrgencyCursor, openRulesColumn } from './identityOrder';
import { isPostgresClient } from './InventoryDatabase';
import { applyIdentityFilter } from './identityQueries';
import type { IdentityRow } from './rowMapping';
import type { IdentityFilter } from './types';

const DAY_MS = 86_400_000;

type SearchRow = IdentityRow & { sort_tier: number | string; sort_expiry: string; match_total: number | string };

/**
 * The urgency tier of a row, the same partition as the lanes of
 * `listByUrgency`: 0 expired, 1 an open error, 2 expiring soon, 3 an open
 * warning, 4 the rest.
 */
const TIER = `CASE
  WHEN not_after < :now THEN 0
  WHEN open_severity_rank = 0 THEN 1
  WHEN not_after <= :soon THEN 2
  WHEN open_severity_rank = 1 THEN 3
  ELSE 4 END`;

/**
 * Where a search finds its matches: on PostgreSQL, a search with no other
 * filter reads the narrow `identity_search` (migration
 * 20261203140000_identity_search_table, kept by triggers; it holds every
 * column such a search and its urgency tier read); any other filter — the
 * caller's access conditions included — reads `identities`.
 */
function searchedTable(db: Knex, filter: IdentityFilter): string {
  const { q, searchFragment: _fragment, ...others } = filter;
  const alone = Object.values(others).every(value => value === undefined);
  return q && alone && isPostgresClient(db) ? 'identity_search' : 'identities';
}

/**
 * One page of a `q` search in urgency order, with its exact total, in one
 * statement. The lanes of `listByUrgency` walk an order index and filter
 * each row by the search, which reads most of the table when few rows match
 * (ten lanes, each ~10 ms at 300,000 identities on PostgreSQL). Here the
 * matches are collected once — on PostgreSQL from the trigram and
 * fingerprint indexes — then ranked, counted and cut: the cost follows the
 * number of matches, not the size of the estate. Only the id and the two
 * sort keys of each match are materialized; the page's rows are joined back
 * from the table (a 2 % match at 300,000 identities materialized whole rows
 * — ~1 kB each, spilling to temp — in 35 ms on PostgreSQL, 26 ms narrow).
 * Same order and cursor as `listByUrgency`, so a cursor of either continues
 * in the other.
 */
export async function listSearchByUrgency(
  db: Knex,
  filter: IdentityFilter,
  options: { cursor?: string; limit: number; now: string },
): Promise<{ items: IdentityRow[]; nextCursor?: string; now: string; total: number }> {
  const after = options.cursor ? decodeUrgencyCursor(options.cursor) : undefined;
  const now = after?.now ?? options.now;
  const soon = new Date(Date.parse(now) + EXPIRING_SOON_DAYS * DAY_MS).toISOString();
  const matches = db(searchedTable(db, filter)).select('id', db.raw(`${TIER} AS sort_tier`, { now, soon }), db.raw('COALESCE(not_after, ?) AS sort_expiry', [NO_EXPIRY]));
  applyIdentityFilter(matches, filter, now);
  const page = db
    .from('matches')
    .select('matches.*', db.raw('(SELECT count(*) FROM matches) AS match_total'));
  if (after) {
    page.where(w =>
      w
        .where('sort_tier', '>', after.tier)
        .orWhere(t => t.where('sort_tier', after.tier).where('sort_expiry', '>', after.expiry))
        .orWhere(t => t.where('sort_tier', after.tier).where('sort_expiry', after.expiry).where('id', '>', after.id)),
    );
  }
  page.orderBy(['sort_tier', 'sort_expiry', 'id']).limit(options.limit + 1);
  const rows = (await db
    .withMaterialized('matches', matches)
    .with('page', page)
    .from('page')
    .join('identities', 'identities.id', 'page.id')
    .select('identities.*', openRulesColumn(db), 'page.sort_tier', 'page.sort_expiry', 'page.match_total')
    .orderBy(['page.sort_tier', 'page.sort_expiry', 'page.id'])) as SearchRow[];
  const total = rows.length
    ? Number(rows[0].match_total)
    : Number((await db.withMaterialized('matches', matches).from('matches').count({ n: '*' }).first())?.n ?? 0);
  const items = rows.slice(0, options.limit).map(({ sort_tier: _t, sort_expiry: _e, match_total: _m, ...row }) => row as IdentityRow);
  const last = rows[options.limit - 1];
  return {
    items,
    now,
    total,
    nextCursor:
      rows.length > options.limit
        ? encodeUrgencyCursor({ now, tier: Number(last.sort_tier), expiry: last.sort_expiry, id: last.id })
        : undefined,
  };
}
