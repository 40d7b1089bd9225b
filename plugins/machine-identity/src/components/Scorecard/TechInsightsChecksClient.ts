import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A check result as the Tech Insights backend's check-results API returns it. */
export interface CheckResultItem {
  result: boolean;
  facts: Record<string, { value?: unknown; type?: string; description?: string }>;
  check: {
    id: string;
    name: string;
    description: string;
    factIds: string[];
    metadata?: { keyring?: { reasonFact?: string; identityFilter?: string } } & Record<string, unknown>;
  };
}

/** A check as `GET /checks` lists it. */
export interface CheckDefinition {
  id: string;
  name: string;
  description: string;
  factIds: string[];
  metadata?: CheckResultItem['check']['metadata'];
}

/** Thrown when no Tech Insights backend answers: the scorecard degrades instead of failing. */
export class TechInsightsUnavailableError extends Error {
  name = 'TechInsightsUnavailableError';
}

const KEYRING_CHECK_PREFIX = 'machine-identity-';

/**
 * Reads the community Tech Insights backend's check API (`/checks`,
 * `/checks/run/...`) through Backstage's discovery and fetch APIs, keeping
 * Keyring's checks (`machine-identity-…`).
 */
export class TechInsightsChecksClient {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  /** Keyring's checks known to Tech Insights. */
  async getChecks(): Promise<CheckDefinition[]> {
    const checks: CheckDefinition[] = await this.request('/checks', { method: 'GET' });
    return checks.filter(c => c.id.startsWith(KEYRING_CHECK_PREFIX));
  }

  /** Results of Keyring's checks for one entity (checks without facts are absent). */
  async runChecks(entityRef: string, checkIds: string[]): Promise<CheckResultItem[]> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path = `/checks/run/${encodeURIComponent(namespace)}/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
    return this.request(path, { method: 'POST', body: JSON.stringify({ checks: checkIds }) });
  }

  /** Results for many entities in one call, keyed by entity ref. */
  async runBulkChecks(entityRefs: string[], checkIds: string[]): Promise<Map<string, CheckResultItem[]>> {
    if (entityRefs.length === 0) return new Map();
    const body: { entity: string; results: CheckResultItem[] }[] = await this.request('/checks/run', {
      method: 'POST',
      body: JSON.stringify({ entities: entityRefs, checks: checkIds }),
    });
    return new Map(body.map(item => [stringifyEntityRef(parseEntityRef(item.entity)), item.results]));
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      const baseUrl = await this.deps.discoveryApi.getBaseUrl('tech-insights');
      response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { 'Content-Type': 'application/json' },
      });
    } catch (error) {
      throw new TechInsightsUnavailableError(`Tech Insights could not be reached: ${error}`);
    }
    if (response.status === 404 || response.status === 503) {
      throw new TechInsightsUnavailableError(`Tech Insights answered ${response.status} for ${path}`);
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
