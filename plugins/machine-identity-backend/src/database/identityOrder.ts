import { InputError } from '@backstage/errors';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { chunks } from './InventoryDatabase';
import { decodeCursor, encodeCursor } from './cursor';
import { applyIdentityFilter } from './identityQueries';
import { type IdentityRow, rowToIdentity } from './rowMapping';
import type { IdentityFilter } from './types';

/** Orders of `GET /identities`: by urgency (the triage default) or by id. */
export type IdentitySort = 'urgency' | 'id';

/** An identity expiring within this many days ranks as "expiring soon". */
export const EXPIRING_SOON_DAYS = 30;

const DAY_MS = 86_400_000;

/** Sorts after every ISO timestamp, in any collation: identities without an expiry come last. */
const NO_EXPIRY = '9999-99-99';

/**
 * Urgency tiers: 0 expired, 1 an open error-severity violation, 2 expiring
 * within {@link EXPIRING_SOON_DAYS}, 3 an open warning, 4 the rest.
 */
const TIER_SQL = `CASE
  WHEN not_after IS NOT NULL AND not_after < ? THEN 0
  WHEN EXISTS (SELECT 1 FROM violations v WHERE v.identity_id = identities.id AND v.resolved_at IS NULL AND v.severity = 'error') THEN 1
  WHEN not_after IS NOT NULL AND not_after <= ? THEN 2
  WHEN EXISTS (SELECT 1 FROM violations v WHERE v.identity_id = identities.id AND v.resolved_at IS NULL AND v.severity = 'warning') THEN 3
  ELSE 4 END`;

/** Position of the last row of a page in urgency order, with the clock page 1 ranked by. */
interface UrgencyKey {
  now: string;
  tier: number;
  expiry: string;
  id: string;
}

function encodeUrgencyCursor(key: UrgencyKey): string {
  return encodeCursor(JSON.stringify(['urgency', key.now, key.tier, key.expiry, key.id]));
}

function decodeUrgencyCursor(cursor: string): UrgencyKey {
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

type RankedRow = IdentityRow & { sort_tier: number | string; sort_expiry: string };

/**
 * One page of identities in urgency order, keyset-paginated on
 * (tier, expiry, id). The cursor carries the clock the first page ranked by,
 * so an identity expiring while someone pages does not move between pages:
 * the order is exact and nothing repeats or is skipped.
 */
export async function listByUrgency(
  db: Knex,
  filter: IdentityFilter,
  options: { cursor?: string; limit: number; now: string },
): Promise<{ items: RankedRow[]; nextCursor?: string; now: string }> {
  const after = options.cursor ? decodeUrgencyCursor(options.cursor) : undefined;
  const now = after?.now ?? options.now;
  const soon = new Date(Date.parse(now) + EXPIRING_SOON_DAYS * DAY_MS).toISOString();
  const ranked = db('identities').select(
    'identities.*',
    db.raw(`${TIER_SQL} AS sort_tier`, [now, soon]),
    db.raw('COALESCE(not_after, ?) AS sort_expiry', [NO_EXPIRY]),
  );
  applyIdentityFilter(ranked, filter, now);
  const q = db.from(ranked.as('ranked'));
  if (after) {
    q.where(w =>
      w
        .where('sort_tier', '>', after.tier)
        .orWhere(t =>
          t
            .where('sort_tier', after.tier)
            .where(e =>
              e
                .where('sort_expiry', '>', after.expiry)
                .orWhere(i => i.where('sort_expiry', after.expiry).where('id', '>', after.id)),
            ),
        ),
    );
  }
  const rows = (await q
    .orderBy([{ column: 'sort_tier' }, { column: 'sort_expiry' }, { column: 'id' }])
    .limit(options.limit + 1)) as RankedRow[];
  const items = rows.slice(0, options.limit);
  const last = items[items.length - 1];
  return {
    items,
    now,
    nextCursor:
      rows.length > options.limit
        ? encodeUrgencyCursor({ now, tier: Number(last.sort_tier), expiry: last.sort_expiry, id: last.id })
        : undefined,
  };
}

/** The number of identities matching the filter (the page's `total`). */
export async function countIdentities(db: Knex, filter: IdentityFilter, now: string): Promise<number> {
  const q = db('identities');
  applyIdentityFilter(q, filter, now);
  const row = await q.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Adds each identity's open violations (rule id, severity, message) as `openRules`. */
export async function withOpenRules(db: Knex, rows: IdentityRow[]): Promise<Identity[]> {
  const byId = new Map<string, NonNullable<Identity['openRules']>>();
  for (const chunk of chunks(rows.map(r => r.id))) {
    const violations = await db('violations')
      .whereIn('identity_id', chunk)
      .whereNull('resolved_at')
      .select('identity_id', 'rule_id', 'severity', 'message')
      .orderBy(['identity_id', 'rule_id']);
    for (const v of violations) {
      const list = byId.get(v.identity_id) ?? [];
      list.push({ ruleId: v.rule_id, severity: v.severity, message: v.message });
      byId.set(v.identity_id, list);
    }
  }
  return rows.map(row => {
    const identity = rowToIdentity(row);
    const rules = byId.get(row.id);
    return rules ? { ...identity, openRules: rules } : identity;
  });
}
