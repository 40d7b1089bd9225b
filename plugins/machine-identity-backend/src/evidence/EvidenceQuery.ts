import type { Knex } from 'knex';
import { LIVE_STATES } from '../facts/dialect';
import type { EvidencePart } from './controls';

/** The period and scope of an export; timestamps ISO-8601 UTC, both inclusive. */
export interface EvidenceScope {
  from: string;
  to: string;
  /** Owning Group ref; every part is limited to its identities (and its campaigns). */
  owner?: string;
}

type Row = Record<string, unknown>;

/** One part of an export: its columns, its row count and its rows in key order. */
export interface EvidencePartQuery {
  part: EvidencePart;
  columns: string[];
  /** False when this installation keeps no such records (the part is empty, not clean). */
  available: boolean;
  count(): Promise<number>;
  rows(): AsyncIterable<Row>;
}

/** Rows read per statement: an export holds at most one page in memory. */
const PAGE = 1000;

interface PartDefinition {
  part: EvidencePart;
  tables: string[];
  columns: string[];
  /** FROM, joins and WHERE of the part, without select or order. */
  base(db: Knex, scope: EvidenceScope): Knex.QueryBuilder;
  select: Record<string, string>;
  /** Keyset: qualified column and its alias in `select`. */
  keys: [string, string][];
  map?(row: Row): Row;
}

const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

function inventoryBase(db: Knex, scope: EvidenceScope) {
  const query = db('identities as i')
    .where('i.first_seen', '<=', scope.to)
    .where(q => q.whereIn('i.state', LIVE_STATES).orWhere('i.state_changed_at', '>=', scope.from));
  return scope.owner ? query.where('i.owner', scope.owner) : query;
}

const withOwner = (query: Knex.QueryBuilder, scope: EvidenceScope, column: string) =>
  scope.owner ? query.where(column, scope.owner) : query;

/** Rows of `table` (alias `t`) tied to an identity, in force at some time in the period. */
const inForce = (db: Knex, table: string, start: string, end: string, scope: EvidenceScope) =>
  withOwner(
    db(`${table} as t`)
      .join('identities as i', 'i.id', 't.identity_id')
      .where(`t.${start}`, '<=', scope.to)
      .where(q => q.whereNull(`t.${end}`).orWhere(`t.${end}`, '>=', scope.from)),
    scope,
    'i.owner',
  );

const DEFINITIONS: PartDefinition[] = [
  {
    part: 'inventory',
    tables: ['identities'],
    columns: ['id', 'type', 'display_name', 'fingerprint_sha256', 'subject', 'issuer', 'serial_number', 'not_before', 'not_after', 'key_algorithm', 'key_size', 'management', 'state', 'state_changed_at', 'first_seen', 'last_seen', 'owner', 'component', 'ownership_rule', 'ownership_via', 'open_violations', 'review_status'],
    base: inventoryBase,
    select: { id: 'i.id', type: 'i.type', display_name: 'i.display_name', fingerprint_sha256: 'i.fingerprint_sha256', subject: 'i.subject', attributes: 'i.attributes', not_after: 'i.not_after', management: 'i.management', state: 'i.state', state_changed_at: 'i.state_changed_at', first_seen: 'i.first_seen', last_seen: 'i.last_seen', owner: 'i.owner', component: 'i.component', ownership_rule: 'i.ownership_rule', ownership_via: 'i.ownership_via', open_violations: 'i.violation_count', review_status: 'i.review_status' },
    keys: [['i.id', 'id']],
    map: ({ attributes, ...row }) => {
      const a = JSON.parse(String(attributes ?? '{}'));
      return { ...row, issuer: a.issuer, serial_number: a.serialNumber, not_before: a.notBefore, key_algorithm: a.keyAlgorithm, key_size: num(a.keySize), open_violations: num(row.open_violations) };
    },
  },
  {
    part: 'violations',
    tables: ['violations'],
    columns: ['id', 'identity_id', 'identity_display_name', 'rule_id', 'severity', 'message', 'remediation', 'first_detected', 'resolved_at'],
    base: (db, scope) => inForce(db, 'violations', 'first_detected', 'resolved_at', scope),
    select: { id: 't.id', identity_id: 't.identity_id', identity_display_name: 'i.display_name', rule_id: 't.rule_id', severity: 't.severity', message: 't.message', remediation: 't.remediation', first_detected: 't.first_detected', resolved_at: 't.resolved_at' },
    keys: [['t.id', 'id']],
  },
  {
    part: 'waivers',
    tables: ['waivers'],
    columns: ['id', 'identity_id', 'rule_id', 'reason', 'approver', 'created_at', 'expires_at'],
    base: (db, scope) => inForce(db, 'waivers', 'created_at', 'expires_at', scope),
    select: { id: 't.id', identity_id: 't.identity_id', rule_id: 't.rule_id', reason: 't.reason', approver: 't.approver', created_at: 't.created_at', expires_at: 't.expires_at' },
    keys: [['t.id', 'id']],
  },
  {
    part: 'review_decisions',
    tables: ['review_items', 'review_campaigns'],
    columns: ['campaign_id', 'campaign_owner', 'identity_id', 'decision', 'to_owner', 'comment', 'decided_by', 'decided_at'],
    base: (db, scope) =>
      withOwner(
        db('review_items as ri')
          .join('review_campaigns as c', 'c.id', 'ri.campaign_id')
          .whereNotNull('ri.decided_at')
          .whereBetween('ri.decided_at', [scope.from, scope.to]),
        scope,
        'c.owner',
      ),
    select: { campaign_id: 'ri.campaign_id', campaign_owner: 'c.owner', identity_id: 'ri.identity_id', decision: 'ri.decision', to_owner: 'ri.to_owner', comment: 'ri.comment', decided_by: 'ri.decided_by', decided_at: 'ri.decided_at' },
    keys: [['ri.campaign_id', 'campaign_id'], ['ri.identity_id', 'identity_id']],
  },
  {
    part: 'revocations',
    tables: ['revocation_requests'],
    columns: ['id', 'identity_id', 'state', 'trigger', 'reason', 'owner', 'requested_by', 'requested_at', 'decided_by', 'decided_at', 'expires_at', 'execute_after', 'executed_at', 'verified_at'],
    base: (db, scope) =>
      withOwner(
        db('revocation_requests as r').where('r.requested_at', '<=', scope.to).where('r.updated_at', '>=', scope.from),
        scope,
        'r.owner',
      ),
    select: { id: 'r.id', identity_id: 'r.identity_id', state: 'r.state', trigger: 'r.trigger', reason: 'r.reason', owner: 'r.owner', requested_by: 'r.requested_by', requested_at: 'r.requested_at', decided_by: 'r.decided_by', decided_at: 'r.decided_at', expires_at: 'r.expires_at', execute_after: 'r.execute_after', executed_at: 'r.executed_at', verified_at: 'r.verified_at' },
    keys: [['r.id', 'id']],
  },
  {
    part: 'audit_trail',
    tables: ['audit_events'],
    columns: ['id', 'at', 'identity_id', 'action', 'actor', 'message'],
    base: (db, scope) => {
      const query = db('audit_events as a').whereBetween('a.at', [scope.from, scope.to]);
      return scope.owner
        ? query.join('identities as i', 'i.id', 'a.identity_id').where('i.owner', scope.owner)
        : query;
    },
    select: { id: 'a.id', at: 'a.at', identity_id: 'a.identity_id', action: 'a.action', actor: 'a.actor', message: 'a.message' },
    keys: [['a.id', 'id']],
  },
];

const NUMERIC_IDS = new Set<EvidencePart>(['violations', 'waivers', 'audit_trail']);

/**
 * Read-only, keyset-paged queries for the evidence export: each part reads
 * pages of 1,000 rows in key order, so an export of any size holds one page.
 */
export class EvidenceQuery {
  private constructor(private readonly db: Knex) {}

  /** Queries over the machine-identity plugin's knex client. */
  static create(db: Knex): EvidenceQuery {
    return new EvidenceQuery(db);
  }

  /** The parts of an export of `scope`, in export order (owners after inventory). */
  async parts(scope: EvidenceScope): Promise<EvidencePartQuery[]> {
    const parts: EvidencePartQuery[] = [];
    for (const definition of DEFINITIONS) {
      const available = (
        await Promise.all(definition.tables.map(t => this.db.schema.hasTable(t)))
      ).every(Boolean);
      parts.push(this.part(definition, scope, available));
      if (definition.part === 'inventory') {
        parts.push(this.owners(scope));
      }
    }
    return parts;
  }

  private part(definition: PartDefinition, scope: EvidenceScope, available: boolean): EvidencePartQuery {
    const { db } = this;
    const numericId = NUMERIC_IDS.has(definition.part);
    return {
      part: definition.part,
      columns: definition.columns,
      available,
      count: async () => {
        if (!available) return 0;
        const [row] = await definition.base(db, scope).count({ n: '*' });
        return Number(row.n);
      },
      rows: async function* rows() {
        if (!available) return;
        let last: Knex.Value[] | undefined;
        for (;;) {
          const query = definition.base(db, scope).select(definition.select);
          if (last) {
            const [[k1], second] = definition.keys;
            const after = last;
            query.where(q =>
              second
                ? q.where(k1, '>', after[0]).orWhere(w => w.where(k1, after[0]).where(second[0], '>', after[1]))
                : q.where(k1, '>', after[0]),
            );
          }
          const page: Row[] = await query.orderBy(definition.keys.map(([column]) => column)).limit(PAGE);
          for (const row of page) {
            const mapped = definition.map ? definition.map(row) : row;
            yield numericId ? { ...mapped, id: num(mapped.id) } : mapped;
          }
          if (page.length < PAGE) return;
          const lastRow = page[page.length - 1];
          last = definition.keys.map(([, alias]) => lastRow[alias] as Knex.Value);
        }
      },
    };
  }

  private owners(scope: EvidenceScope): EvidencePartQuery {
    const query = () =>
      inventoryBase(this.db, scope)
        .groupBy('i.owner', 'i.ownership_rule')
        .select({ owner: 'i.owner', ownership_rule: 'i.ownership_rule' })
        .count({ identities: '*' })
        .select(this.db.raw('sum(CASE WHEN i.violation_count > 0 THEN 1 ELSE 0 END) AS violating'));
    return {
      part: 'owners',
      columns: ['owner', 'ownership_rule', 'identities', 'violating'],
      available: true,
      count: async () => (await query()).length,
      rows: async function* rows() {
        // one row per (owner, rule): bounded by the number of Groups, read at once
        const grouped: Row[] = await query();
        const key = (row: Row) => `${row.owner ?? ''}\u0000${row.ownership_rule}`;
        grouped.sort((a, b) => (key(a) < key(b) ? -1 : Number(key(a) > key(b))));
        for (const row of grouped) {
          yield { owner: str(row.owner), ownership_rule: row.ownership_rule, identities: Number(row.identities), violating: Number(row.violating) };
        }
      },
    };
  }
}
