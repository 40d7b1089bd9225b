import type { Page, Severity } from '@keyring/plugin-machine-identity-common';
import { applyAccessFilter } from './accessFilter';
import { decodeCursor, encodeCursor } from './cursor';
import { type InventoryDatabase, type StoreTransaction, chunks } from './InventoryDatabase';
import {
  type ViolationRow,
  rowToStoredViolation,
  rowToViolationListItem,
} from './rowMapping';
import type {
  PageRequest,
  StoredViolation,
  ViolationFilter,
  ViolationListItem,
  ViolationStore,
  ViolationWrites,
  Waiver,
} from './types';

/**
 * Violations (open and resolved) and waivers in the `violations` and
 * `waivers` tables.
 *
 * @internal
 */
export class DatabaseViolationStore implements ViolationStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseViolationStore {
    return new DatabaseViolationStore(options.database);
  }

  private get db() {
    return this.database.knex;
  }

  async listOpenFor(ids: string[], tx: StoreTransaction): Promise<StoredViolation[]> {
    const out: StoredViolation[] = [];
    for (const chunk of chunks(ids)) {
      const rows = (await tx('violations').whereIn('identity_id', chunk).whereNull('resolved_at')) as ViolationRow[];
      out.push(...rows.map(rowToStoredViolation));
    }
    return out;
  }

  async write(writes: ViolationWrites, tx: StoreTransaction): Promise<void> {
    const inserts = writes.opened.map(v => ({
      identity_id: v.identityId,
      rule_id: v.ruleId,
      severity: v.severity,
      message: v.message,
      remediation: v.remediation,
      first_detected: writes.now,
      resolved_at: null,
    }));
    for (const part of chunks(inserts, this.database.insertChunk)) {
      await tx('violations').insert(part);
    }
    for (const v of writes.changed) {
      await tx('violations')
        .where({ id: v.id })
        .update({ severity: v.severity, message: v.message, remediation: v.remediation });
    }
    for (const part of chunks(writes.resolved)) {
      await tx('violations').whereIn('id', part).update({ resolved_at: writes.now });
    }
  }

  private openWithIdentity() {
    return this.db('violations as v')
      .join('identities as i', 'i.id', 'v.identity_id')
      .whereNull('v.resolved_at')
      .select('v.*', 'i.display_name', 'i.type', 'i.owner', 'i.component', 'i.not_after');
  }

  async list(filter: ViolationFilter, options: PageRequest): Promise<Page<ViolationListItem>> {
    const q = this.openWithIdentity();
    applyAccessFilter(q, filter.access, 'i.');
    if (filter.owner) q.where('i.owner', filter.owner);
    if (filter.entityRef) {
      const ref = filter.entityRef;
      q.where(w => w.where('i.owner', ref).orWhere('i.component', ref));
    }
    if (filter.ruleId) q.where('v.rule_id', filter.ruleId);
    if (options.cursor) {
      q.where('v.id', '>', Number(decodeCursor(options.cursor)));
    }
    const rows = await q.orderBy('v.id').limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(rowToViolationListItem),
      nextCursor: rows.length > options.limit ? encodeCursor(Number(page[page.length - 1].id)) : undefined,
    };
  }

  async countOpenByRule(): Promise<Record<string, number>> {
    const rows: Array<{ rule_id: string; n: number | string }> = await this.db('violations')
      .whereNull('resolved_at')
      .groupBy('rule_id')
      .select('rule_id', this.db.raw('count(*) as n'));
    return Object.fromEntries(rows.map(r => [r.rule_id, Number(r.n)]));
  }

  async listOpenOwned(options: { severities: Severity[] }): Promise<ViolationListItem[]> {
    const rows = await this.openWithIdentity()
      .whereIn('i.state', ['active', 'pending-revocation'])
      .whereNotNull('i.owner')
      .whereIn('v.severity', options.severities)
      .orderBy(['i.owner', 'v.id']);
    return rows.map(rowToViolationListItem);
  }

  async addWaiver(waiver: Omit<Waiver, 'id' | 'createdAt'>, now: string, tx?: StoreTransaction): Promise<Waiver> {
    const [row] = await (tx ?? this.db)('waivers')
      .insert({
        identity_id: waiver.identityId,
        rule_id: waiver.ruleId,
        reason: waiver.reason,
        approver: waiver.approver,
        created_at: now,
        expires_at: waiver.expiresAt ?? null,
      })
      .returning('id');
    return { ...waiver, id: String(typeof row === 'object' ? row.id : row), createdAt: now };
  }

  async getActiveWaiverKeys(ids: string[], now: string, tx?: StoreTransaction): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const chunk of chunks(ids)) {
      const rows = await (tx ?? this.db)('waivers')
        .whereIn('identity_id', chunk)
        .where(w => w.whereNull('expires_at').orWhere('expires_at', '>', now));
      for (const r of rows) {
        keys.add(`${r.identity_id}/${r.rule_id}`);
      }
    }
    return keys;
  }
}
