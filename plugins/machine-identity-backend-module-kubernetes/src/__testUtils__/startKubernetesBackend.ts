import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import machineIdentityModuleKubernetes from '../index';
import type { FixtureCluster } from './fixtureCluster';
import { emulatorSource } from './scanCluster';

const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

const paymentsApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'payments-api' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/payments' },
};

/** A root logger keeping every line with its metadata, to search for secret values. */
function capturingLogger(lines: string[], meta: Record<string, unknown> = {}): RootLoggerService {
  const at = (level: string) => (message: string, extra?: unknown) => void lines.push(`${level} ${message} ${JSON.stringify({ ...meta, extra })}`);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), child: more => capturingLogger(lines, { ...meta, ...more }) };
}

/**
 * The real machine-identity backend plugin with this module on `knex`, scanning
 * the fixture cluster as source `fixture-cluster` (`source`: more keys of its
 * block, e.g. `shards`; `machineIdentity`: more keys of the plugin's config),
 * with REST helpers: `scan()` starts a scan and waits (at most a minute) for
 * its outcome. `lines` collects every log line.
 */
export async function startKubernetesBackend(
  fixture: FixtureCluster,
  knex: Knex,
  lines: string[] = [],
  source: Record<string, unknown> = {},
  machineIdentity: Record<string, unknown> = {},
) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleKubernetes,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: [paymentsApi] }),
      createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => capturingLogger(lines) }),
      mockServices.rootConfig.factory({
        data: { machineIdentity: { fallbackOwner: 'group:default/security', ...machineIdentity, sources: [emulatorSource(fixture.emulator, { id: 'fixture-cluster', ...source })] } },
      }),
    ],
  });
  const http = request(backend.server);
  const responses: string[] = [];
  const call = async (method: 'get' | 'post', path: string, expected: number) => {
    const res = await http[method](`${API}${path}`).set('Authorization', AUTH);
    responses.push(res.text);
    expect(res.status).toBe(expected);
    return res.body;
  };
  const get = (path: string) => call('get', path, 200);
  const scan = async () => {
    const { scanId } = await call('post', '/sources/fixture-cluster/scan', 202);
    const until = Date.now() + 60_000;
    let run = await get(`/scans/${scanId}`);
    while (run.status === 'running' && Date.now() < until) {
      await new Promise(r => setTimeout(r, 100));
      run = await get(`/scans/${scanId}`);
    }
    return run;
  };
  const identityAt = async (type: string, displayName: string) => (await get(`/identities?type=${type}&limit=500`)).items.find((i: any) => i.displayName === displayName);
  /** Every identity's state, by id. */
  const states = async (): Promise<Record<string, string>> => Object.fromEntries((await get('/identities?limit=500')).items.map((i: any) => [i.id, i.state]));
  return { backend, get, scan, identityAt, states, responses };
}
