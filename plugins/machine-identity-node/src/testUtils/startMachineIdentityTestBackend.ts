import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend, type TestBackend } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { capturingRootLoggerFactory } from './capturingRootLogger';

const API = '/api/machine-identity';

/** How {@link startMachineIdentityTestBackend} builds the backend. */
export interface MachineIdentityTestBackendOptions {
  /**
   * The machine-identity backend plugin, the modules under test and what
   * else the backend needs: a catalog (`catalogServiceMock.factory(…)` or the
   * real one) and any further features.
   */
  features: Array<BackendFeature | Promise<{ default: BackendFeature }>>;
  /** The database of every plugin (from `TestDatabases`); leave it out when `features` bring the database service. */
  knex?: Knex;
  /** Root config (`machineIdentity` and anything beside it). */
  config?: Record<string, unknown>;
  /** More `machineIdentity` keys over those of `config`; `fallbackOwner` defaults to `group:default/security`. */
  machineIdentity?: Record<string, unknown>;
  /** Collects every log line ({@link capturingRootLogger}); without it the backend logs as `startTestBackend` does. */
  logLines?: string[];
}

/** A started test backend and REST helpers on its machine-identity API, from {@link startMachineIdentityTestBackend}. */
export interface MachineIdentityTestBackend {
  backend: TestBackend;
  /** supertest on the backend's server. */
  http: ReturnType<typeof request>;
  /** The mock user's Authorization header. */
  auth: string;
  /** Every response body the helpers read, in order (to search for secret values). */
  responses: string[];
  /** GETs an API path (`/identities?…`) as the mock user; throws unless it answers 200; returns the body. */
  get(path: string): Promise<any>;
  /** Starts a scan of `sourceId` and waits (at most `timeoutMs`, default a minute) for its run to end; returns the run. */
  scan(sourceId: string, options?: { timeoutMs?: number }): Promise<any>;
  /** The first 500 identities, filtered by the `/identities` query parameters in `query`. */
  identities(query?: Record<string, string>): Promise<any[]>;
  /** Every identity's state, by id. */
  states(): Promise<Record<string, string>>;
}

/**
 * Starts a backend with the real machine-identity plugin and modules (in
 * `features`) on `knex`, configured with `config`: how a module tests its
 * scanner end to end, through the plugin's REST API. A request without an
 * Authorization header is made as no one (`mockCredentials.none()`); the
 * helpers send the mock user's.
 */
export async function startMachineIdentityTestBackend(options: MachineIdentityTestBackendOptions): Promise<MachineIdentityTestBackend> {
  const { machineIdentity, ...config } = options.config ?? {};
  const backend = await startTestBackend({
    features: [
      ...options.features,
      ...(options.knex ? [mockServices.database.factory({ knex: options.knex })] : []),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      ...(options.logLines ? [capturingRootLoggerFactory(options.logLines)] : []),
      mockServices.rootConfig.factory({
        data: {
          ...config,
          machineIdentity: { fallbackOwner: 'group:default/security', ...(machineIdentity as object | undefined), ...options.machineIdentity },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const auth = mockCredentials.user.header();
  const responses: string[] = [];
  const get = async (path: string) => {
    const res = await http.get(`${API}${path}`).set('Authorization', auth);
    responses.push(res.text);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
    return res.body;
  };
  const scan = async (sourceId: string, { timeoutMs = 60_000 }: { timeoutMs?: number } = {}) => {
    const started = await http.post(`${API}/sources/${encodeURIComponent(sourceId)}/scan`).set('Authorization', auth);
    responses.push(started.text);
    if (started.status !== 202) throw new Error(`scan of ${sourceId} answered ${started.status}: ${started.text}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await get(`/scans/${started.body.scanId}`);
      if (run.status !== 'running') return run;
      if (Date.now() > deadline) throw new Error(`scan of ${sourceId} did not finish in ${timeoutMs} ms`);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  };
  const identities = async (query: Record<string, string> = {}) =>
    (await get(`/identities?${new URLSearchParams({ limit: '500', ...query })}`)).items as any[];
  const states = async () => Object.fromEntries((await identities()).map(i => [i.id, i.state]));
  return { backend, http, auth, responses, get, scan, identities, states };
}
