import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  Identity,
  IdentityDetails,
  Page,
  ScanRun,
  ScanSource,
} from '@keyring/plugin-machine-identity-common';
import { MACHINE_IDENTITY_PLUGIN_ID } from '@keyring/plugin-machine-identity-common';
import type {
  IdentityQuery,
  MachineIdentityApi,
  MachineIdentitySummary,
  PolicyRule,
  ViolationListItem,
  ViolationQuery,
} from './MachineIdentityApi';

type QueryValue = string | number | boolean | undefined;

/**
 * {@link MachineIdentityApi} over HTTP: finds the backend with the discovery
 * API and calls it with the fetch API (which adds the user's token).
 *
 * @public
 */
export class MachineIdentityClient implements MachineIdentityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listIdentities(query: IdentityQuery = {}): Promise<Page<Identity>> {
    return this.get(`/identities${toQueryString({ ...query })}`);
  }

  async getIdentity(id: string): Promise<IdentityDetails> {
    return this.get(`/identities/${encodeURIComponent(id)}`);
  }

  async getSummary(): Promise<MachineIdentitySummary> {
    return this.get('/summary');
  }

  async listSources(): Promise<ScanSource[]> {
    const body = await this.get<ScanSource[] | { items: ScanSource[] }>(
      '/sources',
    );
    return Array.isArray(body) ? body : body.items;
  }

  async triggerScan(
    sourceId: string,
  ): Promise<{ scanId: string; alreadyRunning?: boolean }> {
    return this.request(`/sources/${encodeURIComponent(sourceId)}/scan`, {
      method: 'POST',
    });
  }

  async getScan(scanId: string): Promise<ScanRun> {
    return this.get(`/scans/${encodeURIComponent(scanId)}`);
  }

  async listViolations(
    query: ViolationQuery = {},
  ): Promise<Page<ViolationListItem>> {
    return this.get(`/violations${toQueryString({ ...query })}`);
  }

  async getPolicy(): Promise<PolicyRule[]> {
    const body = await this.get<PolicyRule[] | { rules: PolicyRule[] }>(
      '/policy',
    );
    return Array.isArray(body) ? body : body.rules;
  }

  private async get<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'GET' });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl(
      MACHINE_IDENTITY_PLUGIN_ID,
    );
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** Builds `?a=1&b=2` from the defined values, in a stable order. */
function toQueryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') {
      continue;
    }
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
