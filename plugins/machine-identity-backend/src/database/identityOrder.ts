import { InputError } from '@backstage/errors';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor } from './cursor';
import { jsonRowsAggregate } from './identityDetail';
import { applyIdentityFilter } from './identityQueries';
import { type IdentityRow, rowToIdentity } from './rowMapping';
import type { IdentityFilter } from './types';

/** Orders of `GET /identities`: by urgency (the triage default) or by id. */
export type IdentitySort = 'urgency' | 'id';

/** An identity expiring within this many days ranks as "expiring soon". */
export const EXPIRING_SOON_DAYS = 30;

const DAY_MS = 86_400_000;

/** Sorts after every ISO timestamp, in any collation: identities without an expiry come last. */
export const NO_EXPIRY = '9999-99-99';

/**
 * Urgency tiers: 0 expired, 1 an open error-severity violation, 2 expiring
 * within {@link EXPIRING_SOON_DAYS}, 3 an open warning, 4 the rest. Each
 * tier is a union of lanes: one stored `open_severity_rank` (kept by triggers
 * on `violations`, see migration 20261202120000) and one `not_after` range,
 * so every lane of one owner or Component is a range of its urgency index,
 * read in (not_after, id) order.
 */
interface Lane {
  tier: number;
  rank: number;
  /** The `not_after` range: before now, from now on, now to soon, after soon; `null` for no expiry. */
  expiry: 'expired' | 'live' | 'soon' | 'later' | null;
}

const LANES: Lane[] = [
  ...[0, 1, 2].map(rank => ({ tier: 0, rank, expiry: 'expired' as const })),
  { tier: 1, rank: 0, expiry: 'live' },
  { tier: 1, rank: 0, expiry: null },
  ...[1, 2].map(rank => ({ tier: 2, rank, expiry: 'soon' as const })),
  { tier: 3, rank: 1, expiry: 'later' },
  { tier: 3, rank: 1, expiry: null },
  { tier: 4, rank: 2, expiry: 'later' },
  { tier: 4, rank: 2, expiry: null },
];

/** Position of the last row of a page in urgency order, with the clock page 1 ranked by. */
export interface UrgencyKey {
  now: string;
  tier: number;
  expiry: string;
  id: string;
}

/** The cursor of the page ending at `key` (shared with the search page, identitySearchPage.ts). */
export function encodeUrgencyCursor(key: UrgencyKey): string {
  return encodeCursor(JSON.stringify(['urgency', key.now, key.tier, key.expiry, key.id]));
}

/** The position a cursor of {@link encodeUrgencyCursor} names; a malformed one is an input error. */
export function decodeUrgencyCursor(cursor: string): UrgencyKey {
  const raw = decodeCursor(cursor);
  try {
    const [kind, now, tier, expiry, id] = JSON.parse(String(raw));
    if (
      kind === 'urgency' &&
      typeof now === 'string' &&
      !Number.isNaN(Date.parse(now)) &&
      Number.isInteger(tier) &&
      typeof expiry === 'string' &&
      typeof id === 'string'
    ) {
      return { now, tier, expiry, id };
    }
  } catch {
    // fall through to the input error
  }
  throw new InputError('Invalid cursor for sort=urgency: pass the nextCursor of a previous page with the same sort');
}

type RankedRow = IdentityRow & { sort_tier: number; sort_expiry: string };

/**
 * The filter as index-friendly sides: `entityRef` (owner OR Component) is
 * read as "owned by it" plus "its Component's, owned by someone else", each
 * an index range of its own, instead of one OR no index returns in order.
 */
function sidesOf(filter: IdentityFilter): Array<{ filter: IdentityFilter; extra?: (q: Knex.QueryBuilder) => void }> {
  const ref = filter.entityRef;
  if (!ref) return [{ filter }];
  const rest = { ...filter, entityRef: undefined };
  return [
    { filter: rest, extra: q => q.where('owner', ref) },
    { filter: rest, extra: q => q.where('component', ref).where(o => o.whereNull('owner').orWhereNot('owner', ref)) },
  ];
}

/** Rows of one lane after the cursor, in (not_after, id) order. */
function laneQuery(
  db: Knex,
  side: ReturnType<typeof sidesOf>[number],
  lane: Lane,
  bounds: { now: string; soon: string },
  after: UrgencyKey | undefined,
  limit: number,
): Knex.QueryBuilder | undefined {
  const q = db('identities').select('identities.*', openRulesColumn(db));
  applyIdentityFilter(q, side.filter, bounds.now);
  side.extra?.(q);
  q.where('open_severity_rank', lane.rank);
  if (lane.expiry === null) {
    q.whereNull('not_after');
  } else {
    const [from, to] = {
      expired: [undefined, bounds.now],
      live: [bounds.now, undefined],
      soon: [bounds.now, bounds.soon],
      later: [bounds.soon, undefined],
    }[lane.expiry];
    if (from !== undefined) q.where('not_after', lane.expiry === 'later' ? '>' : '>=', from);
    if (to !== undefined) q.where('not_after', lane.expiry === 'soon' ? '<=' : '<', to);
  }
  if (after && after.tier === lane.tier) {
    if (lane.expiry === null) {
      if (after.expiry === NO_EXPIRY) q.where('id', '>', after.id);
    } else if (after.expiry === NO_EXPIRY) {
      return undefined; // every dated row of the tier sorts before the cursor
    } else {
      const at = after.expiry;
      q.where(w => w.where('not_after', '>', at).orWhere(e => e.where('not_after', at).where('id', '>', after.id)));
    }
  }
  return q.orderBy(lane.expiry === null ? [{ column: 'id' }] : [{ column: 'not_after' }, { column: 'id' }]).limit(limit);
}

/**
 * The lanes of a tier as one statement (`select * from (lane) union all …`,
 * which both PostgreSQL and SQLite accept with each lane's own order and
 * limit): one round trip and one pooled connection per tier instead of one
 * per lane, which under load queued a page's lanes behind each other's
 * connections.
 */
function inOneStatement(db: Knex, lanes: Knex.QueryBuilder[]): Promise<IdentityRow[]> {
  const [first, ...rest] = lanes;
  if (rest.length === 0) return first as unknown as Promise<IdentityRow[]>;
  const from = (lane: Knex.QueryBuilder, i: number) => db.select('*').from(lane.as(`lane${i}`));
  return from(first, 0).unionAll(rest.map((lane, i) => from(lane, i + 1))) as unknown as Promise<IdentityRow[]>;
}

/** The lanes' merge order; ids are lowercase hex, so every collation agrees with this comparison. */
const byExpiryThenId = (a: RankedRow, b: RankedRow) =>
  a.sort_expiry < b.sort_expiry ? -1 : a.sort_expiry > b.sort_expiry ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * One page of identities in urgency order, keyset-paginated on
 * (tier, expiry, id). The cursor carries the clock the first page ranked by,
 * so an identity expiring while someone pages does not move between pages:
 * the order is exact and nothing repeats or is skipped. Tier by tier, each of
 * its lanes (per filter side) returns at most the rows still wanted from an
 * index range; their merge gives the tier's order.
 */
export async function listByUrgency(
  db: Knex,
  filter: IdentityFilter,
  options: { cursor?: string; limit: number; now: string },
): Promise<{ items: RankedRow[]; nextCursor?: string; now: string }> {
  const after = options.cursor ? decodeUrgencyCursor(options.cursor) : undefined;
  const now = after?.now ?? options.now;
  const bounds = { now, soon: new Date(Date.parse(now) + EXPIRING_SOON_DAYS * DAY_MS).toISOString() };
  const wanted = options.limit + 1;
  const rows: RankedRow[] = [];
  for (let tier = after?.tier ?? 0; tier <= 4 && rows.length < wanted; tier++) {
    const need = wanted - rows.length;
    const queries = sidesOf(filter).flatMap(side =>
      LANES.filter(l => l.tier === tier).flatMap(lane => laneQuery(db, side, lane, bounds, after, need) ?? []),
    );
    const found: IdentityRow[] = queries.length ? await inOneStatement(db, queries) : [];
    const ranked = found.map(r => ({ ...r, sort_tier: tier, sort_expiry: r.not_after ?? NO_EXPIRY }) as RankedRow);
    rows.push(...ranked.sort(byExpiryThenId).slice(0, need));
  }
  const items = rows.slice(0, options.limit);
  const last = items[items.length - 1];
  return {
    items,
    now,
    nextCursor:
      rows.length > options.limit
        ? encodeUrgencyCursor({ now, tier: last.sort_tier, expiry: last.sort_expiry, id: last.id })
        : undefined,
  };
}

/** The number of identities matching the filter (the page's `total`), one indexed count per side. */
export async function countIdentities(db: Knex, filter: IdentityFilter, now: string): Promise<number> {
  const counts = await Promise.all(
    sidesOf(filter).map(async side => {
      const q = db('identities');
      applyIdentityFilter(q, side.filter, now);
      side.extra?.(q);
      const row = await q.count({ n: '*' }).first();
      return Number(row?.n ?? 0);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * A select-list column with the row's open violations (rule id, severity,
 * message), in rule order, as JSON text: a page's rows and their open rules
 * come in one statement, read through the violations' identity index for the
 * rows the page returns. `[]` or null when it has none.
 */
export function openRulesColumn(db: Knex): Knex.Raw {
  const agg = jsonRowsAggregate(db, ['v.rule_id', 'v.severity', 'v.message'], 'v.rule_id');
  return db.raw(`(SELECT ${agg} FROM violations v WHERE v.identity_id = identities.id AND v.resolved_at IS NULL) AS open_rules`);
}

type OpenRule = NonNullable<Identity['openRules']>[number];

/** A row read with {@link openRulesColumn} → API `Identity` with its `openRules` (none: no field). */
export function rowWithOpenRules(row: IdentityRow & { open_rules?: string | null }): Identity {
  const { open_rules: rules, ...rest } = row;
  const identity = rowToIdentity(rest);
  const list = rules ? (JSON.parse(rules) as Array<[string, string, string]>) : [];
  return list.length ? { ...identity, openRules: list.map(([ruleId, severity, message]) => ({ ruleId, severity: severity as OpenRule['severity'], message })) } : identity;
}
