import type { Knex } from 'knex';
import { LIVE_STATES } from './dialect';
import type { EntityColumn } from './IdentityFactsQuery';

const DAY_MS = 86_400_000;
const BATCH = 200;
/** An open manual revocation task untouched this long is past due. */
const MANUAL_TASK_DUE_DAYS = 7;

/** Refs to query, split by the identity column that ties them to the entity. */
export type RefsByColumn = Record<EntityColumn, string[]>;

/** First instant of the calendar quarter (UTC) that contains `now`. */
export function quarterStart(now: Date): Date {
  const month = now.getUTCMonth() - (now.getUTCMonth() % 3);
  return new Date(Date.UTC(now.getUTCFullYear(), month, 1));
}

/**
 * Read-only facts over the review (`review_campaigns`, `review_items`) and
 * revocation (`revocation_requests`) tables. Each method answers `undefined`
 * when its tables do not exist in this installation: unknown, not zero.
 * Results are keyed `column|ref`.
 */
export class GovernanceFactsQuery {
  private readonly tables = new Map<string, Promise<boolean>>();

  private constructor(private readonly db: Knex) {}

  /** A query over the machine-identity plugin's knex client. */
  static create(db: Knex): GovernanceFactsQuery {
    return new GovernanceFactsQuery(db);
  }

  /**
   * Whether an ownership review was completed this quarter. A Group: one of
   * its own campaigns has `completed_at` in the current quarter. A
   * Component: every live identity of it was an item of a campaign completed
   * this quarter (`liveIdentities` per Component ref; a Component without
   * identities has nothing to review). Reads campaigns completed this
   * quarter and their items, not every identity.
   */
  async reviewsCompletedThisQuarter(
    refs: RefsByColumn,
    now: Date,
    liveIdentities: Map<string, number>,
  ): Promise<Map<string, boolean> | undefined> {
    if (!(await this.hasTables('review_campaigns', 'review_items'))) {
      return undefined;
    }
    const since = quarterStart(now).toISOString();
    const result = new Map<string, boolean>();
    for (const batch of batches(refs.owner)) {
      const rows: { owner: string }[] = await this.db('review_campaigns')
        .whereIn('owner', batch)
        .whereNotNull('completed_at')
        .where('completed_at', '>=', since)
        .distinct('owner');
      for (const ref of batch) {
        result.set(`owner|${ref}`, false);
      }
      for (const row of rows) {
        result.set(`owner|${row.owner}`, true);
      }
    }
    for (const batch of batches(refs.component)) {
      const rows: { ref: string; n: string | number }[] = await this.db('review_campaigns as c')
        .join('review_items as ri', 'ri.campaign_id', 'c.id')
        .join('identities as i', 'i.id', 'ri.identity_id')
        .whereNotNull('c.completed_at')
        .where('c.completed_at', '>=', since)
        .whereIn('i.component', batch)
        .whereIn('i.state', LIVE_STATES)
        .groupBy('i.component')
        .select({ ref: 'i.component' })
        .countDistinct({ n: 'i.id' });
      const covered = new Map(rows.map(row => [row.ref, Number(row.n)]));
      for (const ref of batch) {
        result.set(`component|${ref}`, (covered.get(ref) ?? 0) >= (liveIdentities.get(ref) ?? 0));
      }
    }
    return result;
  }

  /**
   * Open revocation requests of the entity's identities past their due
   * date: awaiting approval after `expires_at`, approved but not executed
   * after the grace period (`execute_after`), or a manual task not updated
   * for 7 days.
   */
  async revocationsOpenPastDue(
    refs: RefsByColumn,
    now: Date,
  ): Promise<Map<string, number> | undefined> {
    if (!(await this.hasTables('revocation_requests'))) {
      return undefined;
    }
    const nowIso = now.toISOString();
    const manualDue = new Date(now.getTime() - MANUAL_TASK_DUE_DAYS * DAY_MS).toISOString();
    const result = new Map<string, number>();
    for (const column of ['component', 'owner'] as const) {
      for (const batch of batches(refs[column])) {
        const rows: { ref: string; n: string | number }[] = await this.db('identities as i')
          .join('revocation_requests as r', 'r.identity_id', 'i.id')
          .whereIn(`i.${column}`, batch)
          .where(q =>
            q
              .where(w => w.where('r.state', 'requested').where('r.expires_at', '<', nowIso))
              .orWhere(w => w.where('r.state', 'approved').where('r.execute_after', '<', nowIso))
              .orWhere(w => w.where('r.state', 'manual').where('r.updated_at', '<', manualDue)),
          )
          .groupBy(`i.${column}`)
          .select({ ref: `i.${column}` })
          .count({ n: '*' });
        for (const row of rows) {
          result.set(`${column}|${row.ref}`, Number(row.n));
        }
      }
    }
    return result;
  }

  private hasTables(...names: string[]): Promise<boolean> {
    const key = names.join(',');
    let known = this.tables.get(key);
    if (!known) {
      known = Promise.all(names.map(n => this.db.schema.hasTable(n))).then(found =>
        found.every(Boolean),
      );
      this.tables.set(key, known);
    }
    return known;
  }
}

function* batches(refs: string[]): Generator<string[]> {
  for (let i = 0; i < refs.length; i += BATCH) {
    yield refs.slice(i, i + BATCH);
  }
}
