import type {
  Reassignment,
  ReviewCampaign,
  ReviewCampaignDetails,
  ReviewDecisionInput,
  ReviewDecisionResult,
  ReviewItem,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';

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
    const items = campaign.items.filter(i =>
      !decision ? true : decision === 'undecided' ? !i.decision : i.decision === decision,
    );
    return { ...campaign, items };
  }

  decide(id: string, decisions: ReviewDecisionInput[]): ReviewDecisionResult {
    const campaign = this.campaigns.find(c => c.id === id)!;
    for (const d of decisions) {
      const item = campaign.items.find(i => i.identityId === d.identityId)!;
      Object.assign(item, { decision: d.decision, comment: d.comment, toOwner: d.toOwner, reviewStatus: 'reviewed' });
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
    };
    if (decided === campaign.items.length) campaign.state = 'completed';
    const { items: _items, ...rest } = campaign;
    return { campaign: rest, decided: decisions.length, reassignmentIds: [], revocationIds: [] };
  }

  decideReassignment(id: string, state: 'accepted' | 'rejected'): Reassignment {
    const r = this.reassignments.find(x => x.id === id)!;
    r.state = state;
    return r;
  }

  decideWaiver(id: string, state: 'approved' | 'rejected'): WaiverRequest {
    const w = this.waiverRequests.find(x => x.id === id)!;
    w.state = state;
    return w;
  }
}
