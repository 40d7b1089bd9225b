import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  type ChangeFeedPage,
  MACHINE_IDENTITY_PLUGIN_ID,
  createMachineIdentityApiClient,
  responseData,
  type MachineIdentityApiClient,
} from '@keyring/plugin-machine-identity-common';

/** Reads the machine-identity backend's change feed. */
export interface ChangeFeedClient {
  /** One page of changes with `changeSeq > since`, oldest first. */
  readChanges(options: { since: number; limit: number }): Promise<ChangeFeedPage>;
}

/**
 * Reads `GET /changes?since&limit` of the machine-identity backend through the
 * client generated from its OpenAPI spec, with the catalog's own service
 * credentials. Error answers throw `ResponseError`.
 */
export class DefaultChangeFeedClient implements ChangeFeedClient {
  static create(deps: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): DefaultChangeFeedClient {
    const { auth } = deps;
    const fetchFn = deps.fetch ?? fetch;
    const client = createMachineIdentityApiClient({
      fetch: request => fetchFn(request),
      headers: async () => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: MACHINE_IDENTITY_PLUGIN_ID,
        });
        return { authorization: `Bearer ${token}` };
      },
    });
    return new DefaultChangeFeedClient(deps.discovery, client);
  }

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly client: MachineIdentityApiClient,
  ) {}

  async readChanges(options: { since: number; limit: number }): Promise<ChangeFeedPage> {
    const baseUrl = await this.discovery.getBaseUrl(MACHINE_IDENTITY_PLUGIN_ID);
    const page = await responseData(
      this.client.GET('/changes', {
        baseUrl,
        params: { query: { since: options.since, limit: options.limit } },
      }),
    );
    if (!Array.isArray(page?.items) || typeof page.nextSince !== 'number') {
      throw new TypeError(`Malformed change feed page from ${baseUrl}/changes`);
    }
    return page;
  }
}
