import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { startFixtureCluster } from './__testUtils__/fixtureCluster';
import { startKubernetesBackend as startBackend } from './__testUtils__/startKubernetesBackend';

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
