import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  type ChangeFeedPage,
  MACHINE_IDENTITY_PLUGIN_ID,
} from '@keyring/plugin-machine-identity-common';

/** Reads the machine-identity backend's change feed. */
export interface ChangeFeedClient {
  /** One page of changes with `changeSeq > since`, oldest first. */
  readChanges(options: { since: number; limit: number }): Promise<ChangeFeedPage>;
}

/**
 * Reads `GET /changes?since&limit` of the machine-identity backend with the
 * catalog's own service credentials.
 */
export class DefaultChangeFeedClient implements ChangeFeedClient {
  static create(deps: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): DefaultChangeFeedClient {
    return new DefaultChangeFeedClient(deps.discovery, deps.auth, deps.fetch ?? fetch);
  }

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly fetchFn: typeof fetch,
  ) {}

  async readChanges(options: { since: number; limit: number }): Promise<ChangeFeedPage> {
    const baseUrl = await this.discovery.getBaseUrl(MACHINE_IDENTITY_PLUGIN_ID);
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: MACHINE_IDENTITY_PLUGIN_ID,
    });
    const query = new URLSearchParams({
      since: String(options.since),
      limit: String(options.limit),
    });
    const response = await this.fetchFn(`${baseUrl}/changes?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const page = (await response.json()) as ChangeFeedPage;
    if (!Array.isArray(page?.items) || typeof page.nextSince !== 'number') {
      throw new TypeError(`Malformed change feed page from ${baseUrl}/changes`);
    }
    return page;
  }
}
