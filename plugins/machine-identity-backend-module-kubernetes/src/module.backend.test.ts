import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreServices, createServiceFactory, type RootLoggerService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import type { Knex } from 'knex';
import knexFactory from 'knex';
import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import request from 'supertest';
import { startFixtureCluster, type FixtureCluster } from './__testUtils__/fixtureCluster';
import { emulatorSource } from './__testUtils__/scanCluster';
import machineIdentityModuleKubernetes from './index';

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

async function startBackend(fixture: FixtureCluster, knex: Knex, lines: string[] = []) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      machineIdentityModuleKubernetes,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: [paymentsApi] }),
      createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => capturingLogger(lines) }),
      mockServices.rootConfig.factory({
        data: { machineIdentity: { fallbackOwner: 'group:default/security', sources: [emulatorSource(fixture.emulator, { id: 'fixture-cluster' })] } },
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
  /** Starts a scan of the cluster source and waits (at most a minute) for its outcome. */
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
  return { backend, get, scan, identityAt, responses };
}

describe('machineIdentityModuleKubernetes inside the real machine-identity backend plugin', () => {
  it('inventories the cluster through the REST API with owners from labels, and no secret value reaches the database, logs or API', async () => {
    const fixture = await startFixtureCluster();
    const dir = mkdtempSync(join(tmpdir(), 'keyring-k8s-db-'));
    const dbPath = join(dir, 'keyring.sqlite');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: dbPath }, useNullAsDefault: true });
    const lines: string[] = [];
    const { backend, get, scan, identityAt, responses } = await startBackend(fixture, knex, lines);
    try {
      const run = await scan();
      expect(run).toMatchObject({ status: 'succeeded', retired: 0 });
      expect(run.errors.map((e: any) => e.location)).toEqual(expect.arrayContaining(['test/zz-malformed/Secret/mysecretname', 'test/zz-malformed/Secret/secret-tls']));

      const admin = await identityAt('service-account', 'platform/ci-deployer');
      expect(admin).toMatchObject({ privileged: true, admin: true, staticKeys: 1, privilegedReason: expect.stringContaining('cluster-admin') });
      const cert = await identityAt('tls-certificate', 'api.payments.example.test');
      expect(cert).toMatchObject({ management: 'automated', owner: 'group:default/payments', component: 'component:default/payments-api', ownershipRule: 'component-annotation' });
      const detail = await get(`/identities/${cert.id}`);
      expect(detail.observations.map((o: any) => o.location)).toEqual(['test/payments/Secret/api-tls/tls.crt#0']);
      const token = await identityAt('api-token', 'platform/ci-deployer token');
      expect(token).toMatchObject({ storage: 'kubernetes-secret', owner: 'group:default/security', ownershipRule: 'fallback' });
      for (const item of (await get('/identities?limit=500')).items) await get(`/identities/${item.id}`);
      await get('/sources');
      await get('/changes?since=0');
      await backend.stop();
      await knex.destroy();

      const database = readFileSync(dbPath);
      const logs = lines.join('\n');
      const api = responses.join('\n');
      const { saToken, apiToken, kubeconfigToken, privateKeys } = fixture.secrets;
      const keyLines = privateKeys.flatMap(k => k.split('\n').filter(l => l && !l.startsWith('-----')));
      for (const needle of [saToken, apiToken, kubeconfigToken, fixture.emulator.token!, ...keyLines]) {
        expect(database.includes(Buffer.from(needle))).toBe(false);
        expect(logs.includes(needle)).toBe(false);
        expect(api.includes(needle)).toBe(false);
      }
      // Positive control: the search reads the right bytes.
      expect(database.includes(Buffer.from(token.fingerprintSha256))).toBe(true);
      expect(logs).toMatch(/Scan of source fixture-cluster \(kubernetes\) succeeded/);
    } finally {
      await backend.stop().catch(() => undefined);
      await fixture.emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'a 5xx mid-scan makes the run partial and retires nothing; the next complete run retires what is gone (%s)',
    async databaseId => {
      const fixture = await startFixtureCluster();
      const knex = await databases.init(databaseId);
      const { backend, scan, identityAt } = await startBackend(fixture, knex);
      try {
        expect((await scan()).status).toBe('succeeded');
        const billing = await identityAt('api-token', 'platform/billing-api/stripe.token');
        expect(billing.state).toBe('active');

        fixture.emulator.store.delete(KubernetesEmulator.resource('secrets'), 'platform/billing-api');
        fixture.emulator.injectFault({ plural: 'secrets', times: Infinity, status: 500 });
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(partial.errors).toContainEqual({ location: 'test/-/secrets', message: expect.stringContaining('Listing secrets in all namespaces of test failed after 3 attempts') });
        expect((await identityAt('api-token', 'platform/billing-api/stripe.token')).state).toBe('active');

        fixture.emulator.clearFaults();
        const complete = await scan();
        expect(complete).toMatchObject({ status: 'succeeded', retired: 1 });
        expect((await identityAt('api-token', 'platform/billing-api/stripe.token')).state).toBe('gone');
      } finally {
        await backend.stop();
        await fixture.emulator.stop();
      }
    },
  );
});
