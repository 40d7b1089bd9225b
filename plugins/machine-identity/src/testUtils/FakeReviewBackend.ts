import { ResponseError } from '@backstage/errors';
import type {
  Reassignment,
  ReviewCampaign,
  ReviewCampaignDetails,
  ReviewDecisionInput,
  ReviewDecisionResult,
  ReviewItem,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';

/** The `ResponseError` the client throws for a backend error answer. */
async function backendError(status: number, name: string, message: string): Promise<ResponseError> {
  const body = { error: { name, message }, request: { method: 'POST', url: '/api/machine-identity' }, response: { statusCode: status } };
  return ResponseError.fromResponse(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

/** A campaign of `owner` with `count` undecided TLS items. */
export function makeCampaign(overrides: Partial<ReviewCampaign> & { id: string }, count = 3): ReviewCampaignDetails {
  const items: ReviewItem[] = Array.from({ length: count }, (_, i) => ({
    identityId: `${overrides.id}-item-${i}`,
    displayName: `host-${i}.payments.example.test`,
    type: i % 2 ? 'ssh-key' : 'tls-certificate',
    owner: overrides.owner ?? 'group:default/payments',
    reviewStatus: 'due',
  }));
  return {
    owner: 'group:default/payments',
    state: 'open',
    openedAt: '2026-12-01T00:00:00Z',
    openedBy: 'schedule',
    dueAt: '2026-12-31T00:00:00Z',
    progress: { total: count, decided: 0, confirmed: 0, reassigned: 0, revoked: 0, remaining: count },
    items,
    ...overrides,
  };
}

/**
 * The review half of the fake API: campaigns whose items take decisions and
 * recount their progress like the backend, reassignments and waiver requests.
 */
export class FakeReviewBackend {
  campaigns: ReviewCampaignDetails[] = [];
  reassignments: Reassignment[] = [];
  waiverRequests: WaiverRequest[] = [];

  list(owner?: string): ReviewCampaign[] {
    return this.campaigns.filter(c => !owner || c.owner === owner).map(({ items: _items, ...c }) => c);
  }

  get(id: string, decision?: string): ReviewCampaignDetails {
    const campaign = this.campaigns.find(c => c.id === id);
    if (!campaign) throw new Error(`no campaign ${id}`);
    const items = campaign.items.filter(i => {
      if (!decision) return true;
      if (decision === 'undecided') return !i.decision;
      if (decision === 'awaiting-second-review') return !i.decision && Boolean(i.firstConfirmedBy);
      return i.decision === decision;
    });
    return { ...campaign, items };
  }

  /**
   * Decides like the backend, all or nothing. In a second-reviewer campaign a
   * confirm of a privileged item is first recorded as the first confirmation
   * (the item stays undecided); it counts once a different member confirms.
   * The same member confirming twice is a 409 with the backend's sentence.
   */
  async decide(id: string, decisions: ReviewDecisionInput[], by: string): Promise<ReviewDecisionResult> {
    const campaign = this.campaigns.find(c => c.id === id)!;
    const itemOf = (identityId: string) => campaign.items.find(i => i.identityId === identityId)!;
    const needsTwo = (d: ReviewDecisionInput) => campaign.secondReviewer === true && d.decision === 'confirm' && Boolean(itemOf(d.identityId).privilegedReason);
    for (const d of decisions.filter(needsTwo)) {
      const item = itemOf(d.identityId);
      if (item.firstConfirmedBy === by) {
        throw await backendError(
          409,
          'ConflictError',
          `Second review: ${by} already confirmed "${item.displayName}" (${item.privilegedReason}); a different member of ${campaign.owner} must give the second confirmation`,
        );
      }
    }
    const firstConfirmations: string[] = [];
    const at = new Date().toISOString();
    for (const d of decisions) {
      const item = itemOf(d.identityId);
      if (needsTwo(d) && !item.firstConfirmedBy) {
        Object.assign(item, { firstConfirmedBy: by, firstConfirmedAt: at });
        firstConfirmations.push(d.identityId);
        continue;
      }
      Object.assign(item, { decision: d.decision, comment: d.comment, toOwner: d.toOwner, decidedBy: by, decidedAt: at, reviewStatus: 'reviewed' });
    }
    const count = (k: string) => campaign.items.filter(i => i.decision === k).length;
    const decided = campaign.items.filter(i => i.decision).length;
    campaign.progress = {
      total: campaign.items.length,
      decided,
      confirmed: count('confirm'),
      reassigned: count('reassign'),
      revoked: count('revoke'),
      remaining: campaign.items.length - decided,
      awaitingSecondReview: campaign.items.filter(i => !i.decision && i.firstConfirmedBy).length,
    };
    if (decided === campaign.items.length) campaign.state = 'completed';
    const { items: _items, ...rest } = campaign;
    return { campaign: rest, decided: decisions.length - firstConfirmations.length, firstConfirmations, reassignmentIds: [], revocationIds: [] };
  }

  decideReassignment(id: string, state: 'accepted' | 'rejected'): Reassignment {
    const r = this.reassignments.find(x => x.id === id)!;
    r.state = state;
    return r;
  }

  /** Records a request like the backend: one open request per rule of an identity. */
  async requestWaiver(input: Omit<WaiverRequest, 'id' | 'state' | 'requestedBy' | 'requestedAt'>, by: string): Promise<WaiverRequest> {
    const open = this.waiverRequests.find(w => w.identityId === input.identityId && w.ruleId === input.ruleId && w.state === 'requested');
    if (open) {
      throw await backendError(409, 'ConflictError', `A waiver of ${input.ruleId} for this identity is already waiting for approval (${open.id}, by ${open.requestedBy})`);
    }
    const request: WaiverRequest = { ...input, id: `w${this.waiverRequests.length + 1}`, state: 'requested', requestedBy: by, requestedAt: new Date().toISOString() };
    this.waiverRequests.push(request);
    return request;
  }

  /** Decides like the backend: whoever requested a waiver cannot approve it (403 with the backend's sentence). */
  async decideWaiver(id: string, state: 'approved' | 'rejected', by: string): Promise<WaiverRequest> {
    const w = this.waiverRequests.find(x => x.id === id)!;
    if (state === 'approved' && w.requestedBy === by) {
      throw await backendError(403, 'NotAllowedError', `Separation of duties: ${by} requested this waiver and cannot also approve it; another person must decide`);
    }
    w.state = state;
    return w;
  }
}
