import type { Knex } from 'knex';
import {
  IDENTITY_TYPES,
  type IdentityType,
  type Severity,
} from '@keyring/plugin-machine-identity-common';
import { isPostgres, LIVE_STATES } from './dialect';

const DAY_MS = 86_400_000;
/** Entity refs per statement (bound parameters stay far below both databases' limits). */
const BATCH = 200;

/** Identity-level figures of one entity, before shares are derived. */
export interface IdentityCounts {
  total: number;
  byType: Record<IdentityType, number>;
  expired: number;
  expiringWithin7Days: number;
  expiringWithin30Days: number;
  automated: number;
  orphaned: number;
  readyCertificates: number;
}

/** Which column ties an identity to the entity: its Component or its owner. */
export type EntityColumn = 'component' | 'owner';

interface AggregateRow {
  ref: string;
  [column: string]: string | number | null;
}

/**
 * Read-only aggregates over `identities` and `violations` for a set of
 * Components or Groups: GROUP BY statements per batch of 200 entity refs on
 * the covering `identities_component_facts_idx` / `identities_owner_facts_idx`
 * (migration 20261201200000), so the cost is the entities' own index
 * entries, never the whole inventory.
 */
export class IdentityFactsQuery {
  private constructor(private readonly db: Knex) {}

  /** A query over the machine-identity plugin's knex client. */
  static create(db: Knex): IdentityFactsQuery {
    return new IdentityFactsQuery(db);
  }

  /** Counts of live identities per entity ref (refs without identities are absent). */
  async countIdentities(
    column: EntityColumn,
    refs: string[],
    now: Date,
  ): Promise<Map<string, IdentityCounts>> {
    const result = new Map<string, IdentityCounts>();
    for (let i = 0; i < refs.length; i += BATCH) {
      const batch = refs.slice(i, i + BATCH);
      const rows = await this.identityAggregates(column, batch, now);
      const ready = await this.readyCertificates(column, batch, now);
      for (const row of rows) {
        const byType = {} as Record<IdentityType, number>;
        for (const [index, type] of IDENTITY_TYPES.entries()) {
          byType[type] = Number(row[`t${index}`] ?? 0);
        }
        result.set(row.ref, {
          total: Number(row.total),
          byType,
          expired: Number(row.expired ?? 0),
          expiringWithin7Days: Number(row.within7 ?? 0),
          expiringWithin30Days: Number(row.within30 ?? 0),
          automated: Number(row.automated ?? 0),
          orphaned: Number(row.orphaned ?? 0),
          readyCertificates: ready.get(row.ref) ?? 0,
        });
      }
    }
    return result;
  }

  /** Open violations of live identities per entity ref and severity. */
  async countViolations(
    column: EntityColumn,
    refs: string[],
  ): Promise<Map<string, Partial<Record<Severity, number>>>> {
    const result = new Map<string, Partial<Record<Severity, number>>>();
    for (let i = 0; i < refs.length; i += BATCH) {
      const rows: { ref: string; severity: Severity; n: string | number }[] = await this.db(
        'identities as i',
      )
        .join('violations as v', 'v.identity_id', 'i.id')
        .whereIn(`i.${column}`, refs.slice(i, i + BATCH))
        .whereIn('i.state', LIVE_STATES)
        .where('i.violation_count', '>', 0) // kept by the store: skips identities without open violations
        .whereNull('v.resolved_at')
        .groupBy(`i.${column}`, 'v.severity')
        .select({ ref: `i.${column}`, severity: 'v.severity' })
        .count({ n: '*' });
      for (const row of rows) {
        const counts = result.get(row.ref) ?? {};
        counts[row.severity] = Number(row.n);
        result.set(row.ref, counts);
      }
    }
    return result;
  }

  /**
   * Automated, unexpired TLS certificates with at least a third of their
   * lifetime left, per entity ref: the only count that reads identity rows
   * (notBefore lives in the attributes), and only those certificates' rows.
   */
  private async readyCertificates(column: EntityColumn, refs: string[], now: Date): Promise<Map<string, number>> {
    // now <= notAfter - (notAfter - notBefore) / 3, i.e. 3·now <= 2·notAfter + notBefore, as numbers
    const ready = isPostgres(this.db)
      ? `3 * CAST(? AS double precision) <= 2 * extract(epoch from CAST(not_after AS timestamptz)) + extract(epoch from CAST(CAST(attributes AS json) ->> 'notBefore' AS timestamptz))`
      : `3 * ? <= 2 * julianday(not_after) + julianday(json_extract(attributes, '$.notBefore'))`;
    const nowNumber = isPostgres(this.db) ? now.getTime() / 1000 : now.getTime() / DAY_MS + 2440587.5;
    const rows: { ref: string; n: string | number }[] = await this.db('identities')
      .whereIn(column, refs)
      .whereIn('state', LIVE_STATES)
      .where({ type: 'tls-certificate', management: 'automated' })
      .where('not_after', '>=', now.toISOString())
      .whereRaw(ready, [nowNumber])
      .groupBy(column)
      .select({ ref: column })
      .count({ n: '*' });
    return new Map(rows.map(row => [row.ref, Number(row.n)]));
  }

  private identityAggregates(
    column: EntityColumn,
    refs: string[],
    now: Date,
  ): Promise<AggregateRow[]> {
    const nowIso = now.toISOString();
    const in7 = new Date(now.getTime() + 7 * DAY_MS).toISOString();
    const in30 = new Date(now.getTime() + 30 * DAY_MS).toISOString();
    const countIf = (condition: string) => `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
    const typeColumns = IDENTITY_TYPES.map(
      (_type, index) => `${countIf(`type = :type${index}`)} AS t${index}`,
    );
    const typeBindings = Object.fromEntries(IDENTITY_TYPES.map((t, i) => [`type${i}`, t]));
    const refList = refs.map((_, index) => `:ref${index}`).join(', ');
    const refBindings = Object.fromEntries(refs.map((r, i) => [`ref${i}`, r]));
    const sql = `
      SELECT ${column} AS ref, count(*) AS total,
        ${typeColumns.join(',\n        ')},
        ${countIf('not_after < :nowIso')} AS expired,
        ${countIf('not_after >= :nowIso AND not_after <= :in7')} AS within7,
        ${countIf('not_after >= :nowIso AND not_after <= :in30')} AS within30,
        ${countIf(`management = 'automated'`)} AS automated,
        ${countIf(`owner IS NULL OR ownership_rule = 'fallback'`)} AS orphaned
      FROM identities
      WHERE ${column} IN (${refList}) AND state IN (:live0, :live1)
      GROUP BY ${column}`;
    return this.db
      .raw(sql, {
        ...typeBindings,
        ...refBindings,
        nowIso,
        in7,
        in30,
        live0: LIVE_STATES[0],
        live1: LIVE_STATES[1],
      })
      .then(result => (isPostgres(this.db) ? result.rows : result));
  }
}
