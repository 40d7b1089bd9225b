import type { Knex } from 'knex';
import {
  OPEN_REVOCATION_STATES,
  type RetiredComponent,
  type RetiredComponentStatus,
  type RevocationFlag,
  type RevocationRequest,
  type RevocationState,
} from '@keyring/plugin-machine-identity-common';
import { applyAccessFilter } from '../database/accessFilter';
import { decodeCursor, encodeCursor } from '../database/cursor';
import type { AuditEventInput, AuditStore, IdentityAccessFilter } from '../database/types';
import type { RequestTransition } from './identityStateOnTransition';
import { auditAction } from './revocationStates';
import {
  newRevocationRow,
  patchToColumns,
  rowToFlag,
  rowToRevocation,
  type RevocationRow,
} from './revocationRows';
import type {
  ActiveObservation,
  NewRevocationRequest,
  RevocationAudit,
  RevocationFilter,
  RevocationStore,
  RevocationTransition,
} from './types';

const LIVE_IDENTITY_STATES = ['active', 'pending-revocation'];

/**
 * The {@link RevocationStore} in the plugin's database. Its tables come from
 * `migrations/20261201210000_revocations.js` (run by the inventory store's
 * migrations); it reads identities and observations but never writes them.
 * Audit rows go to `audit_events` in the transaction of the change.
 * @internal
 */
export class DatabaseRevocationStore implements RevocationStore {
  private constructor(
    private readonly db: Knex,
    private readonly auditLog: AuditStore,
    private readonly onTransition?: (change: RequestTransition, tx: Knex.Transaction) => Promise<void>,
  ) {}

  /**
   * A store on a migrated plugin database client; audit events go through
   * the audit store, in this store's transactions, and `onTransition` (the
   * identity's state following the request) runs in each transition's.
   */
  static create(options: {
    client: Knex;
    audit: AuditStore;
    onTransition?: (change: RequestTransition, tx: Knex.Transaction) => Promise<void>;
  }): DatabaseRevocationStore {
    return new DatabaseRevocationStore(options.client, options.audit, options.onTransition);
  }

  private selectRequests(db: Knex | Knex.Transaction = this.db) {
    return db('revocation_requests as r')
      .leftJoin('identities as i', 'i.id', 'r.identity_id')
      .select('r.*', 'i.display_name as display_name', 'i.type as identity_type');
  }

  private async audit(
    tx: Knex.Transaction,
    event: Pick<AuditEventInput, 'identityId' | 'before' | 'after' | 'comment'> & { state: RevocationState | 'reappeared' | 'flagged-shared' },
    audit: RevocationAudit,
    at: string,
  ) {
    const { state, ...rest } = event;
    await this.auditLog.append([{ ...rest, at, action: auditAction(state), actor: audit.actor, message: audit.message }], tx);
  }

  async create(request: NewRevocationRequest, audit: RevocationAudit) {
    try {
      await this.db.transaction(async tx => {
        await tx('revocation_requests').insert(newRevocationRow(request));
        await this.audit(
          tx,
          { state: 'requested', identityId: request.identityId, after: { requestId: request.id, state: 'requested', trigger: request.trigger, campaignId: request.campaignId } },
          audit,
          request.requestedAt,
        );
      });
      return { request: (await this.get(request.id))!, created: true };
    } catch (error) {
      const open = await this.selectRequests()
        .where('r.identity_id', request.identityId)
        .whereIn('r.state', OPEN_REVOCATION_STATES)
        .first();
      if (open) {
        return { request: rowToRevocation(open), created: false };
      }
      throw error;
    }
  }

  async get(id: string, access?: IdentityAccessFilter): Promise<RevocationRequest | undefined> {
    const q = this.selectRequests().where('r.id', id);
    applyAccessFilter(q, access, 'i.');
    const row = await q.first();
    return row ? rowToRevocation(row) : undefined;
  }

  async list(filter: RevocationFilter, options: { cursor?: string; limit: number }) {
    const q = this.selectRequests();
    applyAccessFilter(q, filter.access, 'i.');
    if (filter.state) q.where('r.state', filter.state);
    if (filter.owner) q.where('r.owner', filter.owner);
    if (filter.entityRef) q.where('r.entity_ref', filter.entityRef);
    if (filter.identityId) q.where('r.identity_id', filter.identityId);
    if (options.cursor) {
      const [at, id] = String(decodeCursor(options.cursor)).split('|');
      q.where(b => b.where('r.requested_at', '<', at).orWhere(b2 => b2.where('r.requested_at', at).andWhere('r.id', '<', id)));
    }
    const rows: RevocationRow[] = await q
      .orderBy([{ column: 'r.requested_at', order: 'desc' }, { column: 'r.id', order: 'desc' }])
      .limit(options.limit + 1);
    const items = rows.slice(0, options.limit).map(rowToRevocation);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > options.limit && last ? encodeCursor(`${last.requestedAt}|${last.id}`) : undefined,
    };
  }

  async transition({ id, from, to, patch, audit, now }: RevocationTransition): Promise<RevocationRequest | undefined> {
    const moved = await this.db.transaction(async tx => {
      const row = await tx('revocation_requests').where({ id }).whereIn('state', from).first('identity_id', 'state');
      if (!row) return false;
      const updated = await tx('revocation_requests')
        .where({ id })
        .whereIn('state', from)
        .update({ ...patchToColumns(patch), state: to, updated_at: now });
      if (updated !== 1) return false;
      await this.audit(
        tx,
        {
          state: to,
          identityId: row.identity_id,
          before: { requestId: id, state: row.state },
          after: { requestId: id, state: to },
          comment: patch.decisionComment,
        },
        audit,
        now,
      );
      await this.onTransition?.({ identityId: row.identity_id, requestId: id, to, now }, tx);
      return true;
    });
    return moved ? this.get(id) : undefined;
  }

  async listDue(state: RevocationState, column: 'expiresAt' | 'executeAfter', now: string, limit: number) {
    const col = column === 'expiresAt' ? 'r.expires_at' : 'r.execute_after';
    const rows = await this.selectRequests()
      .where('r.state', state)
      .where(b => {
        b.where(col, '<=', now);
        if (column === 'executeAfter') b.orWhereNull(col);
      })
      .orderBy('r.requested_at')
      .limit(limit);
    return rows.map(rowToRevocation);
  }

  async listInStates(states: RevocationState[], identityIds?: string[]) {
    const q = this.selectRequests().whereIn('r.state', states);
    if (identityIds) q.whereIn('r.identity_id', identityIds);
    const rows = await q.orderBy('r.requested_at').limit(10_000);
    return rows.map(rowToRevocation);
  }

  async listVerifiedAt(): Promise<Map<string, string>> {
    const rows: Array<{ identity_id: string; verified_at: string }> = await this.db('revocation_requests')
      .select('identity_id')
      .max({ verified_at: 'verified_at' })
      .where({ state: 'verified' })
      .groupBy('identity_id');
    return new Map(rows.map(r => [r.identity_id, r.verified_at]));
  }

  async markReappeared(id: string, audit: RevocationAudit, now: string): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await tx('revocation_requests').where({ id }).whereNull('reappeared_at').first('identity_id');
      if (!row) return;
      await tx('revocation_requests').where({ id }).update({ reappeared_at: now, updated_at: now });
      await this.audit(tx, { state: 'reappeared', identityId: row.identity_id, after: { requestId: id, reappearedAt: now } }, audit, now);
    });
  }

  async getActiveObservations(identityId: string): Promise<ActiveObservation[]> {
    const rows = await this.db('observations')
      .where({ identity_id: identityId })
      .whereNull('gone_at')
      .orderBy(['source_id', 'location'])
      .limit(1000);
    return rows.map(r => ({
      sourceId: r.source_id,
      location: r.location,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      details: r.details ? JSON.parse(r.details) : undefined,
    }));
  }

  async listLinkedComponents(): Promise<string[]> {
    const rows = await this.db('identities')
      .distinct('component')
      .whereNotNull('component')
      .whereIn('state', LIVE_IDENTITY_STATES);
    return rows.map(r => r.component as string);
  }

  async listComponentIdentityIds(entityRef: string): Promise<string[]> {
    const rows = await this.db('identities')
      .select('id')
      .where({ component: entityRef })
      .whereIn('state', LIVE_IDENTITY_STATES)
      .orderBy('id')
      .limit(10_000);
    return rows.map(r => r.id as string);
  }

  async upsertRetired(
    c: { entityRef: string; status: RetiredComponentStatus; lifecycle?: string; owner?: string; retiredAt?: string },
    now: string,
  ): Promise<void> {
    const update: Record<string, unknown> = {
      status: c.status,
      lifecycle: c.lifecycle ?? null,
      owner: c.owner ?? null,
      updated_at: now,
    };
    if (c.retiredAt) update.retired_at = c.retiredAt;
    await this.db('retired_components')
      .insert({ entity_ref: c.entityRef, first_detected_at: now, retired_at: c.retiredAt ?? null, ...update })
      .onConflict('entity_ref')
      .merge(update);
  }

  async deleteRetired(entityRef: string): Promise<void> {
    await this.db('retired_components').where({ entity_ref: entityRef }).delete();
  }

  async listRetired(): Promise<Array<Omit<RetiredComponent, 'requests' | 'flags'>>> {
    const rows = await this.db('retired_components').orderBy('first_detected_at', 'desc').limit(1000);
    return rows.map(r => ({
      entityRef: r.entity_ref,
      status: r.status,
      lifecycle: r.lifecycle ?? undefined,
      owner: r.owner ?? undefined,
      firstDetectedAt: r.first_detected_at,
      retiredAt: r.retired_at ?? undefined,
    }));
  }

  async upsertFlag(flag: RevocationFlag): Promise<boolean> {
    const existing = await this.db('revocation_flags')
      .where({ entity_ref: flag.entityRef, identity_id: flag.identityId })
      .first();
    const row = { shared_with: JSON.stringify(flag.sharedWith), owner: flag.owner ?? null };
    if (existing) {
      await this.db('revocation_flags').where({ entity_ref: flag.entityRef, identity_id: flag.identityId }).update(row);
      return false;
    }
    await this.db.transaction(async tx => {
      await tx('revocation_flags').insert({ entity_ref: flag.entityRef, identity_id: flag.identityId, flagged_at: flag.flaggedAt, ...row });
      await this.audit(
        tx,
        { state: 'flagged-shared', identityId: flag.identityId, after: { entityRef: flag.entityRef, sharedWith: flag.sharedWith } },
        { message: `Not revoked with ${flag.entityRef}: also used by ${flag.sharedWith.join(', ')}` },
        flag.flaggedAt,
      );
    });
    return true;
  }

  async listFlags(entityRefs?: string[]): Promise<RevocationFlag[]> {
    const q = this.db('revocation_flags as f')
      .leftJoin('identities as i', 'i.id', 'f.identity_id')
      .select('f.*', 'i.display_name as display_name');
    if (entityRefs) q.whereIn('f.entity_ref', entityRefs);
    const rows = await q.orderBy('f.flagged_at', 'desc').limit(5000);
    return rows.map(rowToFlag);
  }
}
