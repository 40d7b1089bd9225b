import type { Reassignment, ReassignmentState } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { type ReassignmentRow, rowToReassignment } from './reviewRows';

const CHUNK = 500;

/** A new reassignment, pending the receiving Group. */
export interface ReassignmentInsert {
  id: string;
  identityId: string;
  campaignId?: string;
  fromOwner?: string;
  toOwner: string;
  requestedBy: string;
  requestedAt: string;
  comment: string;
}

/**
 * Reassignments in the `reassignments` table.
 *
 * @internal
 */
export class DatabaseReassignmentStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { db: Knex }): DatabaseReassignmentStore {
    return new DatabaseReassignmentStore(options.db);
  }

  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async insert(tx: Knex.Transaction, rows: ReassignmentInsert[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx('reassignments').insert(
        rows.slice(i, i + CHUNK).map(r => ({
          id: r.id,
          identity_id: r.identityId,
          campaign_id: r.campaignId ?? null,
          from_owner: r.fromOwner ?? null,
          to_owner: r.toOwner,
          state: 'pending',
          requested_by: r.requestedBy,
          requested_at: r.requestedAt,
          comment: r.comment,
        })),
      );
    }
  }

  /** Identities among `ids` that already have a pending reassignment. */
  async pendingFor(tx: Knex.Transaction, ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await tx('reassignments')
        .where('state', 'pending')
        .whereIn('identity_id', ids.slice(i, i + CHUNK))
        .select('identity_id');
      for (const r of rows) out.add(r.identity_id);
    }
    return out;
  }

  async get(id: string, tx?: Knex.Transaction): Promise<Reassignment | undefined> {
    const row = (await this.query(tx ?? this.db).where('r.id', id).first()) as ReassignmentRow | undefined;
    return row ? rowToReassignment(row) : undefined;
  }

  /** Sets the outcome if the reassignment is still pending; false when someone decided first. */
  async decide(
    tx: Knex.Transaction,
    id: string,
    outcome: { state: Exclude<ReassignmentState, 'pending'>; decidedBy: string; decidedAt: string; comment?: string },
  ): Promise<boolean> {
    const n = await tx('reassignments').where({ id, state: 'pending' }).update({
      state: outcome.state,
      decided_by: outcome.decidedBy,
      decided_at: outcome.decidedAt,
      decision_comment: outcome.comment ?? null,
    });
    return Number(n) === 1;
  }

  /** Reassignments, newest first, filtered by receiving Group, requester, state or identity. */
  async list(filter: {
    toOwners?: string[];
    requestedBy?: string;
    state?: ReassignmentState;
    identityId?: string;
    limit: number;
  }): Promise<Reassignment[]> {
    const query = this.query(this.db).orderBy('r.requested_at', 'desc').limit(filter.limit);
    if (filter.toOwners) query.whereIn('r.to_owner', filter.toOwners);
    if (filter.requestedBy) query.where('r.requested_by', filter.requestedBy);
    if (filter.state) query.where('r.state', filter.state);
    if (filter.identityId) query.where('r.identity_id', filter.identityId);
    return ((await query) as ReassignmentRow[]).map(rowToReassignment);
  }

  private query(db: Knex | Knex.Transaction) {
    return db('reassignments as r')
      .leftJoin('identities as i', 'i.id', 'r.identity_id')
      .select('r.*', 'i.display_name');
  }
}
