import type { Page } from '@keyring/plugin-machine-identity-common';
import { decodeCursor, encodeCursor } from './cursor';
import { type InventoryDatabase, type StoreTransaction, chunks } from './InventoryDatabase';
import { type AuditRow, rowToAuditRecord } from './rowMapping';
import type { AuditEventInput, AuditFilter, AuditRecord, AuditStore, PageRequest } from './types';

/** Events per insert (at most 10 columns each). */
const INSERT_CHUNK = 500;

function auditRow(e: AuditEventInput): Record<string, unknown> {
  const row: Record<string, unknown> = {
    identity_id: e.identityId ?? null,
    at: e.at,
    action: e.action,
    actor: e.actor ?? null,
    message: e.message,
  };
  // The review columns are written only when given, so the store works before and after their migration.
  if (e.campaignId !== undefined) row.campaign_id = e.campaignId;
  if (e.before !== undefined) row.before = JSON.stringify(e.before);
  if (e.after !== undefined) row.after = JSON.stringify(e.after);
  if (e.comment !== undefined) row.comment = e.comment;
  return row;
}

/**
 * The audit log in `audit_events`: append and read, never update or delete.
 * Appends join the caller's transaction so a decision and its event commit
 * together.
 *
 * @internal
 */
export class DatabaseAuditStore implements AuditStore {
  private constructor(private readonly database: InventoryDatabase) {}

  /** A store on a migrated database. */
  static create(options: { database: InventoryDatabase }): DatabaseAuditStore {
    return new DatabaseAuditStore(options.database);
  }

  async append(events: AuditEventInput[], tx?: StoreTransaction): Promise<void> {
    const db = tx ?? this.database.knex;
    // Rows of one insert must share their columns.
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const row of events.map(auditRow)) {
      const key = Object.keys(row).join(',');
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const rows of groups.values()) {
      for (const chunk of chunks(rows, INSERT_CHUNK)) {
        await db('audit_events').insert(chunk);
      }
    }
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    const q = this.database.knex<AuditRow>('audit_events').orderBy('id', 'desc').limit(page.limit + 1);
    if (filter.identityId) q.where('identity_id', filter.identityId);
    if (filter.actor) q.where('actor', filter.actor);
    if (filter.action) q.where('action', filter.action);
    if (filter.campaignId) q.where('campaign_id', filter.campaignId);
    if (filter.from) q.where('at', '>=', filter.from);
    if (filter.to) q.where('at', '<', filter.to);
    if (page.cursor) q.where('id', '<', Number(decodeCursor(page.cursor)));
    const rows = (await q) as AuditRow[];
    const items = rows.slice(0, page.limit).map(rowToAuditRecord);
    return {
      items,
      nextCursor: rows.length > page.limit ? encodeCursor(Number(items[items.length - 1].id)) : undefined,
    };
  }
}
