import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  MACHINE_IDENTITY_PLUGIN_ID,
  createMachineIdentityApiClient,
  definedParams,
  responseData,
  type ApiSchema,
  type Identity,
  type IdentityDetails,
  type MachineIdentityApiClient,
  type Page,
  type Reassignment,
  type RetiredComponent,
  type ReviewCampaign,
  type ReviewCampaignDetails,
  type ReviewDecisionInput,
  type ReviewDecisionResult,
  type RevocationRequest,
  type ScanRun,
  type ScanSource,
  type WaiverRequest,
} from '@keyring/plugin-machine-identity-common';
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
} from './MachineIdentityApi';

/**
 * {@link MachineIdentityApi} over HTTP: the client generated from the
 * backend's OpenAPI spec, finding the backend with the discovery API and
 * calling it with the fetch API (which adds the user's token). Error answers
 * throw `ResponseError`.
 *
 * @public
 */
export class MachineIdentityClient implements MachineIdentityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly client: MachineIdentityApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    const { fetchApi } = options;
    this.client = createMachineIdentityApiClient({
      // The fetch API's middleware rebuilds the request from `input`; a Request whose body
      // openapi-fetch already attached cannot be rebuilt ("already been used"), so pass it apart.
      fetch: async request =>
        fetchApi.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text(),
          signal: request.signal,
        }),
    });
  }

  private baseUrl() {
    return this.discoveryApi.getBaseUrl(MACHINE_IDENTITY_PLUGIN_ID);
  }

  async listIdentities(query: IdentityQuery = {}): Promise<Page<Identity>> {
    return responseData(
      this.client.GET('/identities', {
        baseUrl: await this.baseUrl(),
        params: { query: definedParams(query) },
      }),
    );
  }

  async getIdentity(id: string): Promise<IdentityDetails> {
    return responseData(
      this.client.GET('/identities/{id}', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async getSummary(): Promise<MachineIdentitySummary> {
    return responseData(
      this.client.GET('/summary', { baseUrl: await this.baseUrl() }),
    );
  }

  async listSources(): Promise<ScanSource[]> {
    const body = await responseData(
      this.client.GET('/sources', { baseUrl: await this.baseUrl() }),
    );
    return body.items;
  }

  async triggerScan(sourceId: string): Promise<ApiSchema<'ScanStarted'>> {
    return responseData(
      this.client.POST('/sources/{id}/scan', {
        baseUrl: await this.baseUrl(),
        params: { path: { id: sourceId } },
      }),
    );
  }

  async getScan(scanId: string): Promise<ScanRun> {
    return responseData(
      this.client.GET('/scans/{scanId}', {
        baseUrl: await this.baseUrl(),
        params: { path: { scanId } },
      }),
    );
  }

  async listViolations(
    query: ViolationQuery = {},
  ): Promise<Page<ViolationListItem>> {
    return responseData(
      this.client.GET('/violations', {
        baseUrl: await this.baseUrl(),
        params: { query: definedParams(query) },
      }),
    );
  }

  async getPolicy(): Promise<PolicyRule[]> {
    return responseData(
      this.client.GET('/policy', { baseUrl: await this.baseUrl() }),
    );
  }

  async listRevocations(query: RevocationQuery = {}): Promise<Page<RevocationRequest>> {
    return responseData(
      this.client.GET('/revocations', { baseUrl: await this.baseUrl(), params: { query: definedParams(query) } }),
    ) as Promise<Page<RevocationRequest>>;
  }

  async requestRevocation(identityId: string, reason: string): Promise<RevocationRequest> {
    return responseData(
      this.client.POST('/revocations', { baseUrl: await this.baseUrl(), body: { identityId, reason } }),
    ) as Promise<RevocationRequest>;
  }

  async approveRevocation(id: string, comment?: string): Promise<RevocationRequest> {
    return responseData(
      this.client.POST('/revocations/{id}/approve', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
        body: comment ? { comment } : {},
      }),
    ) as Promise<RevocationRequest>;
  }

  async rejectRevocation(id: string, comment: string): Promise<RevocationRequest> {
    return responseData(
      this.client.POST('/revocations/{id}/reject', { baseUrl: await this.baseUrl(), params: { path: { id } }, body: { comment } }),
    ) as Promise<RevocationRequest>;
  }

  async listDecommissionedComponents(): Promise<RetiredComponent[]> {
    const body = await responseData(
      this.client.GET('/decommissioned-components', { baseUrl: await this.baseUrl() }),
    );
    return body.items as RetiredComponent[];
  }

  async listReviewCampaigns(query: ReviewCampaignQuery = {}): Promise<ReviewCampaign[]> {
    const body = await responseData(
      this.client.GET('/reviews/campaigns', { baseUrl: await this.baseUrl(), params: { query: definedParams(query) } }),
    );
    return body.items as ReviewCampaign[];
  }

  async getReviewCampaign(id: string, query: ReviewItemQuery = {}): Promise<ReviewCampaignDetails> {
    return responseData(
      this.client.GET('/reviews/campaigns/{id}', {
        baseUrl: await this.baseUrl(),
        params: { path: { id }, query: definedParams(query) },
      }),
    ) as Promise<ReviewCampaignDetails>;
  }

  async decideReviewItems(campaignId: string, decisions: ReviewDecisionInput[]): Promise<ReviewDecisionResult> {
    return responseData(
      this.client.POST('/reviews/campaigns/{id}/decisions', {
        baseUrl: await this.baseUrl(),
        params: { path: { id: campaignId } },
        body: { decisions },
      }),
    ) as Promise<ReviewDecisionResult>;
  }

  async listReassignments(query: ReassignmentQuery = {}): Promise<Reassignment[]> {
    const body = await responseData(
      this.client.GET('/reassignments', { baseUrl: await this.baseUrl(), params: { query: definedParams(query) } }),
    );
    return body.items as Reassignment[];
  }

  async decideReassignment(id: string, decision: 'accept' | 'reject', comment?: string): Promise<Reassignment> {
    const options = { baseUrl: await this.baseUrl(), params: { path: { id } }, body: comment ? { comment } : {} };
    return responseData(
      decision === 'accept'
        ? this.client.POST('/reassignments/{id}/accept', options)
        : this.client.POST('/reassignments/{id}/reject', options),
    ) as Promise<Reassignment>;
  }

  async requestWaiver(identityId: string, input: WaiverRequestInput): Promise<WaiverRequest> {
    return responseData(
      this.client.POST('/identities/{id}/waivers', { baseUrl: await this.baseUrl(), params: { path: { id: identityId } }, body: input }),
    ) as Promise<WaiverRequest>;
  }

  async listWaiverRequests(query: WaiverRequestQuery = {}): Promise<WaiverRequest[]> {
    const body = await responseData(
      this.client.GET('/waiver-requests', { baseUrl: await this.baseUrl(), params: { query: definedParams(query) } }),
    );
    return body.items as WaiverRequest[];
  }

  async decideWaiverRequest(id: string, decision: 'approve' | 'reject', comment?: string): Promise<WaiverRequest> {
    const options = { baseUrl: await this.baseUrl(), params: { path: { id } }, body: comment ? { comment } : {} };
    return responseData(
      decision === 'approve'
        ? this.client.POST('/waiver-requests/{id}/approve', options)
        : this.client.POST('/waiver-requests/{id}/reject', options),
    ) as Promise<WaiverRequest>;
  }
}
