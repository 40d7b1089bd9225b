import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  ReviewCampaign,
  ReviewDecisionInput,
  ReviewDecisionResult,
  ReviewItem,
} from '@keyring/plugin-machine-identity-common';
import { randomUUID } from 'node:crypto';
import type { AuditEventInput, AuditStore } from '../database/types';
import { type DatabaseCampaignStore, type ItemDecisionWrite, UNFINISHED_STATES } from '../database/DatabaseCampaignStore';
import type { DatabaseReassignmentStore, ReassignmentInsert } from '../database/DatabaseReassignmentStore';
import { requireMember } from './ReviewAuthority';
import type { ReviewCaller, ReviewIdentityWriter, RevocationRequester } from './types';

/** Most decisions one call may carry. */
export const MAX_DECISIONS_PER_CALL = 1000;

const ACTIONS = {
  confirm: 'review-confirmed',
  reassign: 'review-reassignment-requested',
  revoke: 'review-revocation-requested',
} as const;

function listIds(ids: string[]): string {
  return ids.slice(0, 5).map(id => `"${id.slice(0, 64)}"`).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
}

/**
 * The confirmations of a batch that are the first of two (privileged items of
 * a second-reviewer campaign nobody has confirmed yet). Refuses a member who
 * already gave the first confirmation of an item: the second must be someone
 * else.
 */
function firstConfirmationsOf(
  campaign: ReviewCampaign,
  decisions: ReviewDecisionInput[],
  items: Map<string, ReviewItem>,
  caller: ReviewCaller,
): Set<string> {
  const firsts = new Set<string>();
  if (!campaign.secondReviewer) return firsts;
  for (const d of decisions) {
    const item = items.get(d.identityId)!;
    if (d.decision !== 'confirm' || !item.privilegedReason) continue;
    if (!item.firstConfirmedBy) {
      firsts.add(d.identityId);
    } else if (item.firstConfirmedBy === caller.userEntityRef) {
      throw new ConflictError(
        `Second review: ${caller.userEntityRef} already confirmed "${item.displayName}" (${item.privilegedReason}); ` +
          `a different member of ${campaign.owner} must give the second confirmation`,
      );
    }
  }
  return firsts;
}

/**
 * Attestation: members of a campaign's owning Group confirm, reassign or ask
 * to revoke each identity. In a second-reviewer campaign a privileged
 * identity's confirmation counts only once a second, different member
 * confirms it; the first is recorded (and audited) on its own. A batch is all or nothing; its decisions, the
 * reassignments they create, the identities' `reviewed` status and one audit
 * event per decision are written in one transaction. Revocation requests are
 * created first through the revocation workflow, which audits them itself.
 */
export class DecisionService {
  private constructor(
    private readonly campaigns: DatabaseCampaignStore,
    private readonly reassignments: DatabaseReassignmentStore,
    private readonly audit: AuditStore,
    private readonly identities: ReviewIdentityWriter,
    private readonly revocations: RevocationRequester | undefined,
    private readonly evaluate: (ids: string[], now: Date) => Promise<unknown>,
  ) {}

  static create(options: {
    campaigns: DatabaseCampaignStore;
    reassignments: DatabaseReassignmentStore;
    audit: AuditStore;
    identities: ReviewIdentityWriter;
    revocations?: RevocationRequester;
    /** Re-evaluates identities that were overdue, so `any.review-overdue` resolves at once. */
    evaluate: (ids: string[], now: Date) => Promise<unknown>;
  }): DecisionService {
    return new DecisionService(
      options.campaigns,
      options.reassignments,
      options.audit,
      options.identities,
      options.revocations,
      options.evaluate,
    );
  }

  async decide(
    campaignId: string,
    decisions: ReviewDecisionInput[],
    caller: ReviewCaller,
    now: Date = new Date(),
  ): Promise<ReviewDecisionResult> {
    const campaign = await this.campaigns.getCampaign(campaignId);
    if (!campaign) throw new NotFoundError(`No review campaign with id "${campaignId.slice(0, 100)}"`);
    requireMember(caller, campaign.owner, `attest the identities of its review campaign`);
    if (!UNFINISHED_STATES.includes(campaign.state)) {
      throw new ConflictError(`Campaign ${campaign.id} is ${campaign.state}: it takes no more decisions`);
    }
    this.validate(decisions, campaign.owner);
    const ids = decisions.map(d => d.identityId);
    const items = await this.campaigns.transaction(tx => this.checkUndecided(tx, campaignId, ids));
    firstConfirmationsOf(campaign, decisions, items, caller);

    const revocationIds = new Map<string, string>();
    for (const d of decisions.filter(x => x.decision === 'revoke')) {
      if (!this.revocations) throw new ConflictError('Revocation requests are not available in this backend');
      const request = await this.revocations.request({
        identityId: d.identityId,
        reason: d.comment!.trim(),
        requestedBy: caller.userEntityRef,
        trigger: 'review',
        campaignId,
      });
      revocationIds.set(d.identityId, request.id);
    }

    const at = now.toISOString();
    let decidedIds: string[] = ids;
    const result = await this.campaigns.transaction(async tx => {
      const current = await this.checkUndecided(tx, campaignId, ids);
      const firsts = firstConfirmationsOf(campaign, decisions, current, caller);
      decidedIds = ids.filter(id => !firsts.has(id));
      const pending = await this.reassignments.pendingFor(
        tx,
        decisions.filter(d => d.decision === 'reassign').map(d => d.identityId),
      );
      if (pending.size > 0) {
        throw new ConflictError(`Already waiting for a reassignment to be accepted: ${listIds([...pending])}`);
      }
      const newReassignments: ReassignmentInsert[] = [];
      const writes: ItemDecisionWrite[] = [];
      const events: AuditEventInput[] = [];
      for (const d of decisions) {
        const item = current.get(d.identityId)!;
        const comment = d.comment?.trim() || undefined;
        if (firsts.has(d.identityId)) {
          events.push(this.firstConfirmationEvent(campaignId, item, caller.userEntityRef, comment, at));
          continue;
        }
        const write: ItemDecisionWrite = {
          identityId: d.identityId,
          decision: d.decision,
          comment,
          decidedBy: caller.userEntityRef,
          decidedAt: at,
          revocationId: revocationIds.get(d.identityId),
        };
        if (d.decision === 'reassign') {
          write.toOwner = d.toOwner;
          write.reassignmentId = randomUUID();
          newReassignments.push({
            id: write.reassignmentId,
            identityId: d.identityId,
            campaignId,
            fromOwner: item.owner,
            toOwner: d.toOwner!,
            requestedBy: caller.userEntityRef,
            requestedAt: at,
            comment: comment!,
          });
        }
        writes.push(write);
        events.push(this.event(campaignId, item, write, at));
      }
      await this.reassignments.insert(tx, newReassignments);
      const confirmations = [...firsts].map(identityId => ({ identityId, by: caller.userEntityRef, at }));
      if ((await this.campaigns.writeFirstConfirmations(tx, campaignId, confirmations)) < confirmations.length) {
        throw new ConflictError('Another member confirmed one of these identities meanwhile; reload the campaign');
      }
      await this.campaigns.writeDecisions(tx, campaignId, writes);
      await this.identities.setReviewStatus(tx, decidedIds, 'reviewed');
      await this.audit.append(events, tx);
      const updated = await this.campaigns.refreshProgress(tx, campaignId, at);
      if (updated.state === 'completed') {
        await this.audit.append(
          [
            {
              at,
              actor: caller.userEntityRef,
              action: 'review-campaign-completed',
              campaignId,
              after: updated.progress,
              message: `Ownership review of ${updated.owner} completed: ${updated.progress.confirmed} confirmed, ${updated.progress.reassigned} reassigned, ${updated.progress.revoked} to revoke`,
            },
          ],
          tx,
        );
      }
      return {
        campaign: updated,
        decided: writes.length,
        firstConfirmations: [...firsts],
        reassignmentIds: newReassignments.map(r => r.id),
        revocationIds: [...revocationIds.values()],
      };
    });
    const wereOverdue = decidedIds.filter(id => items.get(id)!.reviewStatus === 'overdue');
    if (wereOverdue.length > 0) await this.evaluate(wereOverdue, now);
    return result;
  }

  private validate(decisions: ReviewDecisionInput[], owner: string) {
    if (decisions.length === 0) throw new InputError('decisions must hold at least one decision');
    if (decisions.length > MAX_DECISIONS_PER_CALL) {
      throw new InputError(`At most ${MAX_DECISIONS_PER_CALL} decisions per call, got ${decisions.length}`);
    }
    const seen = new Set<string>();
    for (const d of decisions) {
      if (seen.has(d.identityId)) throw new InputError(`Identity "${d.identityId.slice(0, 64)}" is decided twice in one call`);
      seen.add(d.identityId);
      if (d.decision !== 'confirm' && !d.comment?.trim()) {
        throw new InputError(`A ${d.decision} decision needs a comment (identity "${d.identityId.slice(0, 64)}")`);
      }
      if (d.decision === 'reassign' && !d.toOwner) {
        throw new InputError(`A reassign decision needs toOwner, the receiving Group (identity "${d.identityId.slice(0, 64)}")`);
      }
      if (d.decision === 'reassign' && d.toOwner === owner) {
        throw new InputError(`Identity "${d.identityId.slice(0, 64)}" already belongs to ${owner}: reassign it to another Group`);
      }
    }
  }

  private async checkUndecided(
    tx: Parameters<Parameters<DatabaseCampaignStore['transaction']>[0]>[0],
    campaignId: string,
    ids: string[],
  ): Promise<Map<string, ReviewItem>> {
    const items = await this.campaigns.getItems(tx, campaignId, ids);
    const missing = ids.filter(id => !items.has(id));
    if (missing.length > 0) throw new InputError(`Not in campaign ${campaignId}: ${listIds(missing)}`);
    const decided = ids.filter(id => items.get(id)!.decision);
    if (decided.length > 0) {
      const first = items.get(decided[0])!;
      throw new ConflictError(
        `Already decided: ${listIds(decided)} (${first.decision} by ${first.decidedBy} at ${first.decidedAt})`,
      );
    }
    return items;
  }

  private firstConfirmationEvent(
    campaignId: string,
    item: ReviewItem,
    actor: string,
    comment: string | undefined,
    at: string,
  ): AuditEventInput {
    return {
      at,
      actor,
      action: 'review-first-confirmed',
      identityId: item.identityId,
      campaignId,
      before: { owner: item.owner, reviewStatus: item.reviewStatus },
      after: { firstConfirmedBy: actor, privilegedReason: item.privilegedReason, awaiting: 'second-review', reviewStatus: item.reviewStatus },
      comment,
      message: `Review of ${item.displayName}: first confirmation of a privileged identity (${item.privilegedReason}); a second member must confirm`,
    };
  }

  private event(campaignId: string, item: ReviewItem, write: ItemDecisionWrite, at: string): AuditEventInput {
    const target =
      write.decision === 'reassign'
        ? `reassignment to ${write.toOwner} requested`
        : write.decision === 'revoke'
          ? `revocation requested (${write.revocationId})`
          : item.firstConfirmedBy
            ? `ownership confirmed by a second member (first: ${item.firstConfirmedBy})`
            : 'ownership confirmed';
    return {
      at,
      actor: write.decidedBy,
      action: ACTIONS[write.decision],
      identityId: item.identityId,
      campaignId,
      before: { owner: item.owner, reviewStatus: item.reviewStatus, ...(item.firstConfirmedBy ? { firstConfirmedBy: item.firstConfirmedBy } : {}) },
      after: {
        decision: write.decision,
        ...(item.firstConfirmedBy && write.decision === 'confirm' ? { secondConfirmedBy: write.decidedBy } : {}),
        reviewStatus: 'reviewed',
        toOwner: write.toOwner,
        reassignmentId: write.reassignmentId,
        revocationId: write.revocationId,
      },
      comment: write.comment,
      message: `Review of ${item.displayName}: ${target}`,
    };
  }
}
