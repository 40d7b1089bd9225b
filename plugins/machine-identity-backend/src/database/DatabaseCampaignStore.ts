import type {
  CampaignState,
  Page,
  ReviewCampaign,
  ReviewDecisionKind,
  ReviewItem,
} from '@keyring/plugin-machine-identity-common';
import type { Knex } from 'knex';
import { applyAccessFilter } from './accessFilter';
import { decodeCursor, encodeCursor } from './cursor';
import type { IdentityAccessFilter } from './types';
import {
  type CampaignRow,
  type ItemRow,
  rowToCampaign,
  rowToItem,
} from './reviewRows';

/** Rows per statement for item writes (SQLite bound-parameter limits). */
const CHUNK = 500;

/** States of a campaign that still waits for decisions. */
export const UNFINISHED_STATES: readonly CampaignState[] = ['open', 'overdue'];

/** Filters of a campaign's item list. */
export interface ItemFilter {
  /** `undecided`, `awaiting-second-review` (confirmed once, a subset of undecided) or one decision. */
  decision?: 'undecided' | 'awaiting-second-review' | ReviewDecisionKind;
  type?: string;
  /** Case-insensitive substring of the display name. */
  q?: string;
  /** The reader's permission condition on the items' identities. */
  access?: IdentityAccessFilter;
}

/** A decision as stored on its item. */
export interface ItemDecisionWrite {
  identityId: string;
  decision: ReviewDecisionKind;
  comment?: string;
  toOwner?: string;
  decidedBy: string;
  decidedAt: string;
  reassignmentId?: string;
  revocationId?: string;
}

/**
 * Campaigns and their items in `review_campaigns` / `review_items`. It stores
 * what the review services decided; who may decide lives in those services.
 *
 * @internal
 */
export class DatabaseCampaignStore {
  private constructor(private readonly db: Knex) {}

  /** Uses the plugin database; the migrations have run. */
  static create(options: { db: Knex }): DatabaseCampaignStore {
    return new DatabaseCampaignStore(options.db);
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * Owners of active identities with their counts; identities without an
   * owner count for `fallbackOwner`. `openedBefore` keeps only owners whose
   * latest campaign opened before it (or who never had one).
   */
  async ownersToReview(
    tx: Knex.Transaction,
    options: { owner?: string; fallbackOwner?: string; openedBefore?: string },
  ): Promise<string[]> {
    const ownerExpr = options.fallbackOwner
      ? tx.raw('coalesce(owner, ?)', [options.fallbackOwner])
      : tx.raw('owner');
    const rows = (await tx('identities')
      .where('state', 'active')
      .select({ owner: ownerExpr })
      .groupByRaw('1')) as { owner: string | null }[];
    let owners = rows.map(r => r.owner).filter((o): o is string => Boolean(o));
    if (options.owner) owners = owners.filter(o => o === options.owner);
    if (options.openedBefore && owners.length > 0) {
      const recent = await tx('review_campaigns')
        .where('opened_at', '>=', options.openedBefore)
        .distinct('owner');
      const skip = new Set(recent.map(r => r.owner as string));
      owners = owners.filter(o => !skip.has(o));
    }
    return owners.sort();
  }

  /** Closes the owner's unfinished campaigns (a new one replaces them); returns their ids. */
  async closeUnfinished(tx: Knex.Transaction, owner: string, now: string): Promise<string[]> {
    const rows = await tx('review_campaigns')
      .where({ owner })
      .whereIn('state', UNFINISHED_STATES)
      .select('id');
    const ids = rows.map(r => r.id as string);
    if (ids.length > 0) {
      await tx('review_campaigns').whereIn('id', ids).update({ state: 'closed', closed_at: now });
    }
    return ids;
  }

  /**
   * Creates a campaign holding every active identity of `owner` (and the
   * unowned ones when `owner` is the fallback Group) in one INSERT … SELECT;
   * returns the campaign and its identity ids.
   */
  async insertCampaign(
    tx: Knex.Transaction,
    campaign: { id: string; owner: string; openedAt: string; openedBy: string; dueAt: string },
    options: { includeUnowned: boolean },
  ): Promise<{ campaign: ReviewCampaign; identityIds: string[] }> {
    await tx('review_campaigns').insert({
      id: campaign.id,
      owner: campaign.owner,
      state: 'open',
      opened_at: campaign.openedAt,
      opened_by: campaign.openedBy,
      due_at: campaign.dueAt,
      total: 0,
    });
    const owned = tx('identities')
      .where('state', 'active')
      .andWhere(q => {
        q.where('owner', campaign.owner);
        if (options.includeUnowned) q.orWhereNull('owner');
      })
      .select(tx.raw('? as campaign_id', [campaign.id]), 'id as identity_id');
    await tx.into(tx.raw('review_items (campaign_id, identity_id)')).insert(owned);
    const rows = await tx('review_items').where('campaign_id', campaign.id).select('identity_id');
    const identityIds = rows.map(r => r.identity_id as string);
    await tx('review_campaigns').where('id', campaign.id).update({ total: identityIds.length });
    const stored = await this.getCampaign(campaign.id, tx);
    return { campaign: stored!, identityIds };
  }

  /** Campaigns, newest first. */
  async listCampaigns(filter: { owner?: string; owners?: string[]; state?: CampaignState; limit: number }): Promise<ReviewCampaign[]> {
    const query = this.db<CampaignRow>('review_campaigns')
      .orderBy('opened_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.owner) query.where('owner', filter.owner);
    if (filter.owners) query.whereIn('owner', filter.owners);
    if (filter.state) query.where('state', filter.state);
    return ((await query) as CampaignRow[]).map(rowToCampaign);
  }

  async getCampaign(id: string, tx?: Knex.Transaction): Promise<ReviewCampaign | undefined> {
    const row = (await (tx ?? this.db)('review_campaigns').where({ id }).first()) as CampaignRow | undefined;
    return row ? rowToCampaign(row) : undefined;
  }

  /** A page of a campaign's items with the identities' display fields, by identity id. */
  async listItems(
    campaignId: string,
    filter: ItemFilter,
    options: { cursor?: string; limit: number },
  ): Promise<Page<ReviewItem>> {
    const query = this.itemQuery(this.db)
      .where('ri.campaign_id', campaignId)
      .orderBy('ri.identity_id')
      .limit(options.limit + 1);
    if (filter.decision === 'undecided') query.whereNull('ri.decision');
    else if (filter.decision === 'awaiting-second-review') query.whereNull('ri.decision').whereNotNull('ri.first_confirmed_by');
    else if (filter.decision) query.where('ri.decision', filter.decision);
    if (filter.type) query.where('i.type', filter.type);
    if (filter.q) query.whereRaw('lower(i.display_name) like ?', [`%${filter.q.toLowerCase()}%`]);
    applyAccessFilter(query, filter.access, 'i.');
    if (options.cursor) {
      const after = String(decodeCursor(options.cursor));
      // On both sides of the join, so PostgreSQL's merge join starts at the cursor instead of the first identity.
      query.where('ri.identity_id', '>', after).where('i.id', '>', after);
    }
    const rows = (await query) as ItemRow[];
    const items = rows.slice(0, options.limit).map(rowToItem);
    return {
      items,
      nextCursor:
        rows.length > options.limit ? encodeCursor(items[items.length - 1].identityId) : undefined,
    };
  }

  /** The campaign's items for these identities (those not in it are absent). */
  async getItems(tx: Knex.Transaction, campaignId: string, identityIds: string[]): Promise<Map<string, ReviewItem>> {
    const out = new Map<string, ReviewItem>();
    for (let i = 0; i < identityIds.length; i += CHUNK) {
      const rows = (await this.itemQuery(tx)
        .where('ri.campaign_id', campaignId)
        .whereIn('ri.identity_id', identityIds.slice(i, i + CHUNK))) as ItemRow[];
      for (const row of rows) out.set(row.identity_id, rowToItem(row));
    }
    return out;
  }

  /** Writes decisions onto their items in batched upserts. */
  async writeDecisions(tx: Knex.Transaction, campaignId: string, decisions: ItemDecisionWrite[]): Promise<void> {
    for (let i = 0; i < decisions.length; i += CHUNK) {
      const rows = decisions.slice(i, i + CHUNK).map(d => ({
        campaign_id: campaignId,
        identity_id: d.identityId,
        decision: d.decision,
        comment: d.comment ?? null,
        to_owner: d.toOwner ?? null,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        reassignment_id: d.reassignmentId ?? null,
        revocation_id: d.revocationId ?? null,
      }));
      await tx('review_items')
        .insert(rows)
        .onConflict(['campaign_id', 'identity_id'])
        .merge(['decision', 'comment', 'to_owner', 'decided_by', 'decided_at', 'reassignment_id', 'revocation_id']);
    }
  }

  /**
   * Makes the campaign a second-reviewer campaign and marks its privileged
   * items with the reason (decided by the review services).
   */
  async markSecondReviewer(tx: Knex.Transaction, campaignId: string, privileged: Map<string, string>): Promise<void> {
    await tx('review_campaigns').where('id', campaignId).update({ second_reviewer: true });
    const byReason = new Map<string, string[]>();
    for (const [identityId, reason] of privileged) byReason.set(reason, [...(byReason.get(reason) ?? []), identityId]);
    for (const [reason, ids] of byReason) {
      for (let i = 0; i < ids.length; i += CHUNK) {
        await tx('review_items')
          .where('campaign_id', campaignId)
          .whereIn('identity_id', ids.slice(i, i + CHUNK))
          .update({ privileged_reason: reason });
      }
    }
  }

  /** Records first confirmations of privileged items (the items stay undecided); returns how many it wrote. */
  async writeFirstConfirmations(
    tx: Knex.Transaction,
    campaignId: string,
    confirmations: Array<{ identityId: string; by: string; at: string }>,
  ): Promise<number> {
    let written = 0;
    for (const c of confirmations) {
      written += await tx('review_items')
        .where({ campaign_id: campaignId, identity_id: c.identityId })
        .whereNull('decision')
        .whereNull('first_confirmed_by')
        .update({ first_confirmed_by: c.by, first_confirmed_at: c.at });
    }
    return written;
  }

  /** Recounts a campaign's progress; completes it when nothing is left. */
  async refreshProgress(tx: Knex.Transaction, campaignId: string, now: string): Promise<ReviewCampaign> {
    const counts = (await tx('review_items')
      .where('campaign_id', campaignId)
      .select('decision')
      .count({ n: '*' })
      .groupBy('decision')) as { decision: string | null; n: number | string }[];
    const by = (d: string | null) => Number(counts.find(c => c.decision === d)?.n ?? 0);
    const decided = by('confirm') + by('reassign') + by('revoke');
    const total = decided + by(null);
    const awaiting = await tx('review_items')
      .where('campaign_id', campaignId)
      .whereNull('decision')
      .whereNotNull('first_confirmed_by')
      .count({ n: '*' })
      .first();
    const update: Record<string, unknown> = {
      decided,
      confirmed: by('confirm'),
      reassigned: by('reassign'),
      revoked: by('revoke'),
      awaiting_second_review: Number(awaiting?.n ?? 0),
    };
    await tx('review_campaigns').where('id', campaignId).update(update);
    if (decided === total) {
      await tx('review_campaigns')
        .where('id', campaignId)
        .whereIn('state', UNFINISHED_STATES)
        .update({ state: 'completed', completed_at: now });
    }
    return (await this.getCampaign(campaignId, tx))!;
  }

  /** Open campaigns whose due date has passed. */
  async listPastDue(now: string): Promise<ReviewCampaign[]> {
    const rows = (await this.db('review_campaigns').where('state', 'open').where('due_at', '<', now)) as CampaignRow[];
    return rows.map(rowToCampaign);
  }

  /** Marks a campaign overdue if it still is open; false when another replica did first. */
  async markOverdue(tx: Knex.Transaction, campaignId: string): Promise<boolean> {
    const n = await tx('review_campaigns').where({ id: campaignId, state: 'open' }).update({ state: 'overdue' });
    return Number(n) === 1;
  }

  /** Claims the campaign's one escalation; false when it was already sent. */
  async claimEscalation(tx: Knex.Transaction, campaignId: string, now: string): Promise<boolean> {
    const n = await tx('review_campaigns')
      .where({ id: campaignId })
      .whereNull('escalated_at')
      .update({ escalated_at: now });
    return Number(n) === 1;
  }

  /** Identity ids of a campaign's undecided items. */
  async undecidedIdentityIds(tx: Knex.Transaction, campaignId: string): Promise<string[]> {
    const rows = await tx('review_items').where('campaign_id', campaignId).whereNull('decision').select('identity_id');
    return rows.map(r => r.identity_id as string);
  }

  /** The unfinished campaign currently holding an identity, if any. */
  async unfinishedCampaignOf(tx: Knex.Transaction, identityId: string): Promise<string | undefined> {
    const row = await tx('review_items as ri')
      .join('review_campaigns as c', 'c.id', 'ri.campaign_id')
      .where('ri.identity_id', identityId)
      .whereIn('c.state', UNFINISHED_STATES)
      .first('c.id');
    return row?.id;
  }

  private itemQuery(db: Knex | Knex.Transaction) {
    // Identities are never deleted, so every item has its identity.
    return db('review_items as ri')
      .join('identities as i', 'i.id', 'ri.identity_id')
      .select(
        'ri.*',
        'i.display_name',
        'i.type',
        'i.component',
        'i.owner',
        'i.review_status',
      );
  }
}
