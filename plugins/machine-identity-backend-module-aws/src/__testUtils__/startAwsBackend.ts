import { type RootLoggerService, coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AwsEmulator } from '@keyring/cloud-emulators/aws';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import request from 'supertest';
import machineIdentityModuleAws from '../index';
import { awsDemoConfig, until } from './awsBackend';

const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

/** Root logger keeping every line with its metadata. */
class CapturingLogger implements RootLoggerService {
  constructor(readonly lines: string[], private readonly meta: Record<string, unknown> = {}) {}
  private log(level: string, message: string, meta?: unknown) {
    this.lines.push(`${level} ${message} ${JSON.stringify(this.meta)} ${meta instanceof Error ? meta.stack : JSON.stringify(meta ?? {})}`);
  }
  error(m: string, meta?: unknown) { this.log('error', m, meta); }
  warn(m: string, meta?: unknown) { this.log('warn', m, meta); }
  info(m: string, meta?: unknown) { this.log('info', m, meta); }
  debug(m: string, meta?: unknown) { this.log('debug', m, meta); }
  child(meta: Record<string, unknown>) { return new CapturingLogger(this.lines, { ...this.meta, ...meta }); }
}

const ENTITIES: Entity[] = [
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'platform-team' }, spec: { type: 'team', children: [] } },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'deploy-tooling', annotations: { 'keyring.io/aws-iam-users': 'deploy-bot' } },
    spec: { type: 'service', lifecycle: 'production', owner: 'platform-team' },
  },
];

/**
 * The real machine-identity backend plugin with this module on `knex`,
 * configured with `config` (default: the `aws-demo` source of
 * {@link awsDemoConfig}), with REST helpers: `scan()` starts a scan of
 * `aws-demo` and waits for its outcome. `lines` collects every log line.
 */
export async function startAwsBackend(emulator: AwsEmulator, knex: Knex, lines: string[] = [], config: object = awsDemoConfig(emulator)) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleAws,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: ENTITIES }),
      createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => new CapturingLogger(lines) }),
      mockServices.rootConfig.factory({ data: config as Record<string, any> }),
    ],
  });
  const http = request(backend.server);
  const responses: string[] = [];
  const get = async (path: string) => {
    const res = await http.get(`${API}${path}`).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    responses.push(res.text);
    return res.body;
  };
  const scan = async () => {
    const res = await http.post(`${API}/sources/aws-demo/scan`).set('Authorization', AUTH);
    expect(res.status).toBe(202);
    return until('scan', async () => {
      const run = await get(`/scans/${res.body.scanId}`);
      return run.status !== 'running' ? run : undefined;
    }, 600);
  };
  const identities = async () => (await get('/identities?limit=500')).items as any[];
  /** Every identity's state, by id. */
  const states = async (): Promise<Record<string, string>> => Object.fromEntries((await identities()).map(i => [i.id, i.state]));
  return { backend, get, scan, identities, states, responses };
}
