import type {
  Identity,
  IdentityDetails,
  Page,
  Reassignment,
  RetiredComponent,
  ReviewCampaign,
  ReviewCampaignDetails,
  ReviewDecisionInput,
  ReviewDecisionResult,
  RevocationRequest,
  ScanRun,
  ScanSource,
  WaiverRequest,
} from '@keyring/plugin-machine-identity-common';
import { FakeReviewBackend } from './FakeReviewBackend';
import type {
  IdentityQuery,
  MachineIdentityApi,
  MachineIdentitySummary,
  PolicyRule,
  ReassignmentQuery,
  ReviewCampaignQuery,
  ReviewItemQuery,
  RevocationQuery,
  ViolationListItem,
  ViolationQuery,
  WaiverRequestInput,
  WaiverRequestQuery,
} from '../api/MachineIdentityApi';

const DAY = 86_400_000;

/** An identity expiring `days` from now (undefined: does not expire). */
export function makeIdentity(
  overrides: Partial<Identity> & { id: string },
  expiresInDays?: number,
): Identity {
  return {
    type: 'tls-certificate',
    fingerprintSha256: overrides.id.padEnd(64, '0').slice(0, 64),
    displayName: `identity ${overrides.id}`,
    ownershipRule: 'component-annotation',
    state: 'active',
    management: 'manual',
    firstSeen: '2026-01-01T00:00:00Z',
    lastSeen: '2026-11-20T00:00:00Z',
    observationCount: 1,
    violationCount: 0,
    reviewStatus: 'reviewed',
    owner: 'group:default/payments',
    component: 'component:default/payments-api',
    notAfter:
      expiresInDays === undefined
        ? undefined
        : new Date(Date.now() + expiresInDays * DAY).toISOString(),
    ...overrides,
  };
}

/**
 * An in-memory MachineIdentityApi for component tests: it filters and pages
 * like the backend (cursor = offset) and records every call.
 */
export class FakeMachineIdentityApi implements MachineIdentityApi {
  readonly calls: { method: string; args: unknown[] }[] = [];
  identities: Identity[] = [];
  details: Record<string, IdentityDetails> = {};
  summary?: MachineIdentitySummary;
  sources: ScanSource[] = [];
  violations: ViolationListItem[] = [];
  policy: PolicyRule[] = [];
  /** Campaigns, reassignments and waiver requests. */
  readonly reviews = new FakeReviewBackend();
  /** The signed-in user, as the backend sees the caller (requester ≠ approver). */
  user = 'user:default/guest';
  /** Makes every call fail with this error. */
  failWith?: Error;
  /** Makes calls wait until released (to observe loading states). */
  hold?: Promise<void>;

  private async enter(method: string, args: unknown[]) {
    this.calls.push({ method, args });
    if (this.hold) await this.hold;
    if (this.failWith) throw this.failWith;
  }

  callsOf(method: string) {
    return this.calls.filter(c => c.method === method).map(c => c.args[0]);
  }

  async listIdentities(query: IdentityQuery = {}): Promise<Page<Identity>> {
    await this.enter('listIdentities', [query]);
    const q = query.q?.toLowerCase();
    const matches = this.identities.filter(
      i =>
        (!query.entityRef ||
          i.owner === query.entityRef ||
          i.component === query.entityRef) &&
        (!query.owner || i.owner === query.owner) &&
        (!query.type || i.type === query.type) &&
        (!query.state || i.state === query.state) &&
        (!query.violating || i.violationCount > 0) &&
        (query.expiresWithinDays === undefined ||
          (i.notAfter !== undefined &&
            new Date(i.notAfter).getTime() <=
              Date.now() + query.expiresWithinDays * DAY)) &&
        (!q || i.displayName.toLowerCase().includes(q)),
    );
    return paginate(matches, query.cursor, query.limit);
  }

  async getIdentity(id: string): Promise<IdentityDetails> {
    await this.enter('getIdentity', [id]);
    const details = this.details[id];
    if (details) return details;
    const identity = this.identities.find(i => i.id === id);
    if (!identity) throw new Error(`No identity ${id}`);
    return { ...identity, observations: [], violations: [], history: [] };
  }

  async getSummary(): Promise<MachineIdentitySummary> {
    await this.enter('getSummary', []);
    if (!this.summary) throw new Error('no summary');
    return this.summary;
  }

  async listSources(): Promise<ScanSource[]> {
    await this.enter('listSources', []);
    return this.sources;
  }

  async triggerScan(sourceId: string): Promise<{ scanId: string; alreadyRunning: boolean }> {
    await this.enter('triggerScan', [sourceId]);
    const source = this.sources.find(s => s.id === sourceId);
    if (!source) throw new Error(`No source ${sourceId}`);
    const run: ScanRun = {
      id: `scan-${this.calls.length}`,
      sourceId,
      status: 'running',
      startedAt: new Date().toISOString(),
      seen: 0,
      added: 0,
      retired: 0,
      errors: [],
    };
    source.lastRun = run;
    return { scanId: run.id, alreadyRunning: false };
  }

  async getScan(scanId: string): Promise<ScanRun> {
    await this.enter('getScan', [scanId]);
    const run = this.sources.map(s => s.lastRun).find(r => r?.id === scanId);
    if (!run) throw new Error(`No scan ${scanId}`);
    return run;
  }

  async listViolations(query: ViolationQuery = {}): Promise<Page<ViolationListItem>> {
    await this.enter('listViolations', [query]);
    const matches = this.violations.filter(
      v =>
        (!query.ruleId || v.ruleId === query.ruleId) &&
        (!query.owner || v.owner === query.owner) &&
        (!query.entityRef || v.owner === query.entityRef || v.component === query.entityRef),
    );
    return paginate(matches, query.cursor, query.limit);
  }

  async getPolicy(): Promise<PolicyRule[]> {
    await this.enter('getPolicy', []);
    return this.policy;
  }

  revocations: RevocationRequest[] = [];
  retiredComponents: RetiredComponent[] = [];

  async listRevocations(query: RevocationQuery = {}): Promise<Page<RevocationRequest>> {
    await this.enter('listRevocations', [query]);
    const matches = this.revocations.filter(
      r =>
        (!query.state || r.state === query.state) &&
        (!query.entityRef || r.entityRef === query.entityRef) &&
        (!query.identityId || r.identityId === query.identityId) &&
        (!query.owner || r.owner === query.owner),
    );
    return paginate(matches, query.cursor, query.limit);
  }

  async requestRevocation(identityId: string, reason: string): Promise<RevocationRequest> {
    await this.enter('requestRevocation', [identityId, reason]);
    const request = makeRevocation({ id: `r-${this.revocations.length + 1}`, identityId, reason });
    this.revocations.push(request);
    return request;
  }

  async approveRevocation(id: string, comment?: string): Promise<RevocationRequest> {
    await this.enter('approveRevocation', [id, comment]);
    return this.decide(id, 'approved', comment);
  }

  async rejectRevocation(id: string, comment: string): Promise<RevocationRequest> {
    await this.enter('rejectRevocation', [id, comment]);
    return this.decide(id, 'rejected', comment);
  }

  async listReviewCampaigns(query: ReviewCampaignQuery = {}): Promise<ReviewCampaign[]> {
    await this.enter('listReviewCampaigns', [query]);
    return this.reviews.list(query.owner);
  }

  async getReviewCampaign(id: string, query: ReviewItemQuery = {}): Promise<ReviewCampaignDetails> {
    await this.enter('getReviewCampaign', [id, query]);
    return this.reviews.get(id, query.decision);
  }

  async decideReviewItems(campaignId: string, decisions: ReviewDecisionInput[]): Promise<ReviewDecisionResult> {
    await this.enter('decideReviewItems', [campaignId, decisions]);
    return this.reviews.decide(campaignId, decisions, this.user);
  }

  async listReassignments(query: ReassignmentQuery = {}): Promise<Reassignment[]> {
    await this.enter('listReassignments', [query]);
    return this.reviews.reassignments.filter(r => r.state === 'pending');
  }

  async decideReassignment(id: string, decision: 'accept' | 'reject', comment?: string): Promise<Reassignment> {
    await this.enter('decideReassignment', [id, decision, comment]);
    return this.reviews.decideReassignment(id, decision === 'accept' ? 'accepted' : 'rejected');
  }

  async requestWaiver(identityId: string, input: WaiverRequestInput): Promise<WaiverRequest> {
    await this.enter('requestWaiver', [identityId, input]);
    const identity = this.details[identityId] ?? this.identities.find(i => i.id === identityId);
    return this.reviews.requestWaiver({ identityId, identityDisplayName: identity?.displayName, owner: identity?.owner, ...input }, this.user);
  }

  async listWaiverRequests(query: WaiverRequestQuery = {}): Promise<WaiverRequest[]> {
    await this.enter('listWaiverRequests', [query]);
    return this.reviews.waiverRequests.filter(
      w =>
        w.state === (query.state ?? 'requested') &&
        (!query.identityId || w.identityId === query.identityId) &&
        (!query.owner || w.owner === query.owner) &&
        (!query.awaitingMe || w.requestedBy !== this.user),
    );
  }

  async decideWaiverRequest(id: string, decision: 'approve' | 'reject', comment?: string): Promise<WaiverRequest> {
    await this.enter('decideWaiverRequest', [id, decision, comment]);
    return this.reviews.decideWaiver(id, decision === 'approve' ? 'approved' : 'rejected', this.user);
  }

  async listDecommissionedComponents(): Promise<RetiredComponent[]> {
    await this.enter('listDecommissionedComponents', []);
    return this.retiredComponents.map(c => ({ ...c, requests: this.revocations.filter(r => r.entityRef === c.entityRef) }));
  }

  private decide(id: string, state: 'approved' | 'rejected', comment?: string): RevocationRequest {
    const request = this.revocations.find(r => r.id === id);
    if (!request) throw new Error(`no revocation ${id}`);
    Object.assign(request, { state, decidedBy: 'user:default/guest', decisionComment: comment });
    return request;
  }
}

/** A revocation request awaiting approval. */
export function makeRevocation(overrides: Partial<RevocationRequest> & { id: string }): RevocationRequest {
  return {
    identityId: 'id-1',
    identityDisplayName: 'deploy@web-01',
    identityType: 'ssh-key',
    state: 'requested',
    trigger: 'decommissioned',
    reason: 'component:default/payments-old is decommissioned in the catalog',
    entityRef: 'component:default/payments-old',
    owner: 'group:default/payments',
    requestedBy: 'plugin:machine-identity',
    requestedAt: '2026-12-01T10:00:00Z',
    places: [{ sourceId: 'fleet', location: 'web-01:/home/deploy/.ssh/authorized_keys:2', place: 'fleet|web-01:/home/deploy/.ssh/authorized_keys' }],
    updatedAt: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

function paginate<T>(items: T[], cursor?: string, limit = 50): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const end = start + limit;
  return {
    items: items.slice(start, end),
    nextCursor: end < items.length ? String(end) : undefined,
  };
}
