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
  type RetiredComponent,
  type RevocationRequest,
  type ScanRun,
  type ScanSource,
} from '@keyring/plugin-machine-identity-common';
import type {
  IdentityQuery,
  MachineIdentityApi,
  MachineIdentitySummary,
  PolicyRule,
  RevocationQuery,
  ViolationListItem,
  ViolationQuery,
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
      fetch: request => fetchApi.fetch(request),
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
}
