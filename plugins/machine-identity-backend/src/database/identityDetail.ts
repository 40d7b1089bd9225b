import type { HistoryEvent, Identity, Observation, Violation } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { isPostgresClient } from './InventoryDatabase';
import { type IdentityRow, rowToHistoryEvent, rowToIdentity, rowToObservation, rowToViolation } from './rowMapping';

/** Observations and history events a detail returns at most (newest history first). */
export const DETAIL_OBSERVATIONS_LIMIT = 1000;
export const DETAIL_HISTORY_LIMIT = 200;

/** An identity with what its detail page shows: live and gone observations, open violations, history. */
export interface IdentityDetail {
  identity: Identity;
  observations: Observation[];
  violations: Violation[];
  history: HistoryEvent[];
}

/**
 * A JSON array of one array per row, in `orderBy`, as text: `json_agg` on
 * PostgreSQL (null when there are no rows), `json_group_array` on SQLite.
 * Every column here is text, so the JSON carries the values the driver would.
 */
export function jsonRowsAggregate(db: Knex, columns: string[], orderBy: string): string {
  return isPostgresClient(db)
    ? `json_agg(json_build_array(${columns.join(', ')}) ORDER BY ${orderBy})::text`
    : `json_group_array(json_array(${columns.join(', ')}) ORDER BY ${orderBy})`;
}

const OBSERVATION_COLUMNS = ['source_id', 'location', 'first_seen', 'last_seen', 'gone_at', 'details'] as const;
const VIOLATION_COLUMNS = ['rule_id', 'severity', 'message', 'remediation', 'first_detected'] as const;
const HISTORY_COLUMNS = ['at', 'action', 'actor', 'message'] as const;

type Columns = readonly string[];
/** The rows of one aggregate, back as objects keyed by their column names. */
function rowsOf<C extends Columns>(text: string | null | undefined, columns: C): Array<Record<C[number], any>> {
  const arrays = text ? (JSON.parse(text) as unknown[][]) : [];
  return arrays.map(values => Object.fromEntries(columns.map((c, i) => [c, values[i]])) as Record<C[number], any>);
}

/**
 * An identity and its details in one statement: the row, and its
 * observations, open violations and history each as one aggregated column
 * (the detail route made four reads — four pool connections at once — for
 * what is one identity's page). Same orders and limits as the separate reads.
 */
export async function readIdentityDetail(db: Knex, id: string): Promise<IdentityDetail | undefined> {
  const row = (await db('identities')
    .where('identities.id', id)
    .select(
      'identities.*',
      db.raw(
        `(SELECT ${jsonRowsAggregate(db, [...OBSERVATION_COLUMNS], 'source_id, location')} FROM
           (SELECT ${OBSERVATION_COLUMNS.join(', ')} FROM observations WHERE identity_id = ? ORDER BY source_id, location LIMIT ${DETAIL_OBSERVATIONS_LIMIT}) o) AS detail_observations`,
        [id],
      ),
      db.raw(
        `(SELECT ${jsonRowsAggregate(db, [...VIOLATION_COLUMNS], 'rule_id')} FROM violations
           WHERE identity_id = ? AND resolved_at IS NULL) AS detail_violations`,
        [id],
      ),
      db.raw(
        `(SELECT ${jsonRowsAggregate(db, [...HISTORY_COLUMNS], 'id DESC')} FROM
           (SELECT id, ${HISTORY_COLUMNS.join(', ')} FROM audit_events WHERE identity_id = ? ORDER BY id DESC LIMIT ${DETAIL_HISTORY_LIMIT}) a) AS detail_history`,
        [id],
      ),
    )
    .first()) as (IdentityRow & { detail_observations?: string | null; detail_violations?: string | null; detail_history?: string | null }) | undefined;
  if (!row) return undefined;
  const { detail_observations: observations, detail_violations: violations, detail_history: history, ...identity } = row;
  return {
    identity: rowToIdentity(identity),
    observations: rowsOf(observations, OBSERVATION_COLUMNS).map(o => rowToObservation({ ...o, identity_id: id, last_scan_id: '', content_hash: null })),
    violations: rowsOf(violations, VIOLATION_COLUMNS).map(v => rowToViolation({ ...v, id: '', identity_id: id, resolved_at: null })),
    history: rowsOf(history, HISTORY_COLUMNS).map(rowToHistoryEvent),
  };
}
