import type { WaiverRequest, WaiverRequestState } from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { type WaiverRequestRow, rowToWaiverRequest } from './reviewRows';

/**
 * Waiver requests in `waiver_requests`; an approval writes the granted
 * waiver into `waivers` inside the same transaction.
 *
 * @internal
 */
export class DatabaseWaiverRequestStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { db: Knex }): DatabaseWaiverRequestStore {
    return new DatabaseWaiverRequestStore(options.db);
  }

  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async insert(tx: Knex.Transaction, request: Omit<WaiverRequest, 'state' | 'identityDisplayName'>): Promise<void> {
    await tx('waiver_requests').insert({
      id: request.id,
      identity_id: request.identityId,
      rule_id: request.ruleId,
      reason: request.reason,
      expires_at: request.expiresAt,
      owner: request.owner ?? null,
      state: 'requested',
      requested_by: request.requestedBy,
      requested_at: request.requestedAt,
    });
  }

  /** The open request for one rule of one identity, if any. */
  async openFor(tx: Knex.Transaction, identityId: string, ruleId: string): Promise<WaiverRequest | undefined> {
    const row = await this.query(tx)
      .where({ 'w.identity_id': identityId, 'w.rule_id': ruleId, 'w.state': 'requested' })
      .first();
    return row ? rowToWaiverRequest(row) : undefined;
  }

  async get(id: string, tx?: Knex.Transaction): Promise<WaiverRequest | undefined> {
    const row = (await this.query(tx ?? this.db).where('w.id', id).first()) as WaiverRequestRow | undefined;
    return row ? rowToWaiverRequest(row) : undefined;
  }

  /**
   * Sets the outcome if still requested (false when someone decided first);
   * an approval also inserts the waiver and returns its id.
   */
  async decide(
    tx: Knex.Transaction,
    request: WaiverRequest,
    outcome: { state: Exclude<WaiverRequestState, 'requested'>; decidedBy: string; decidedAt: string; comment?: string },
  ): Promise<{ decided: boolean; waiverId?: string }> {
    let waiverId: string | undefined;
    if (outcome.state === 'approved') {
      const [row] = await tx('waivers')
        .insert({
          identity_id: request.identityId,
          rule_id: request.ruleId,
          reason: request.reason,
          approver: outcome.decidedBy,
          created_at: outcome.decidedAt,
          expires_at: request.expiresAt,
        })
        .returning('id');
      waiverId = String(typeof row === 'object' ? row.id : row);
    }
    const n = await tx('waiver_requests').where({ id: request.id, state: 'requested' }).update({
      state: outcome.state,
      decided_by: outcome.decidedBy,
      decided_at: outcome.decidedAt,
      decision_comment: outcome.comment ?? null,
      waiver_id: waiverId ?? null,
    });
    return { decided: Number(n) === 1, waiverId };
  }

  /** Requests, newest first. `notRequestedBy` leaves out the caller's own (those they cannot approve). */
  async list(filter: {
    state?: WaiverRequestState;
    identityId?: string;
    owners?: string[];
    notRequestedBy?: string;
    limit: number;
  }): Promise<WaiverRequest[]> {
    const query = this.query(this.db).orderBy('w.requested_at', 'desc').limit(filter.limit);
    if (filter.state) query.where('w.state', filter.state);
    if (filter.identityId) query.where('w.identity_id', filter.identityId);
    if (filter.owners) query.whereIn('w.owner', filter.owners);
    if (filter.notRequestedBy) query.whereNot('w.requested_by', filter.notRequestedBy);
    return ((await query) as WaiverRequestRow[]).map(rowToWaiverRequest);
  }

  private query(db: Knex | Knex.Transaction) {
    return db('waiver_requests as w')
      .leftJoin('identities as i', 'i.id', 'w.identity_id')
      .select('w.*', 'i.display_name');
  }
}
