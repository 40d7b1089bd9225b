import { addSecretFleet, KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { inShard, type MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { TestDatabases } from '@backstage/backend-test-utils';
import { startFixtureCluster, type FixtureCluster } from './__testUtils__/fixtureCluster';
import { emulatorSource, scanCluster, type ClusterScanResult } from './__testUtils__/scanCluster';
import { startKubernetesBackend } from './__testUtils__/startKubernetesBackend';

const COUNT = 3;
const shards = Array.from({ length: COUNT }, (_, index) => ({ index, count: COUNT }));
const sorted = (xs: string[]) => [...xs].sort();
const namespaceOf = (location: string) => location.split('/')[1];
/** Every discovery as one comparable string, keyed by its location. */
const described = (ds: MachineIdentityDiscovery[]) => sorted(ds.map(d => JSON.stringify([d.location, d])));
const json = (xs: unknown[]) => sorted(xs.map(x => JSON.stringify(x)));

/**
 * Scans one source whole and as each of `COUNT` shards, with the emulator's
 * request log of each shard's run.
 */
async function scanShards(fixture: FixtureCluster, extra: Record<string, unknown> = {}) {
  const source = emulatorSource(fixture.emulator, extra);
  const whole = await scanCluster(source);
  const parts: Array<ClusterScanResult & { paths: string[] }> = [];
  for (const shard of shards) {
    fixture.emulator.requests.length = 0;
    const part = await scanCluster(source, {}, shard);
    parts.push({ ...part, paths: fixture.emulator.requests.map(r => r.path) });
  }
  return { whole, parts };
}

describe('KubernetesScanner of a sharded source (fixture cluster and 12 fleet namespaces)', () => {
  let fixture: FixtureCluster;

  beforeAll(async () => {
    fixture = await startFixtureCluster();
    // The kubernetes/api fixtures name namespace `namespaceValue`; a real API server keeps a namespace while it holds objects.
    fixture.emulator.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'namespaceValue' } });
    // A RoleBinding in payments (shard 2/3) granting a ServiceAccount of platform (shard 1/3): each shard needs all RBAC.
    fixture.emulator.add({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ops-reads-payments', namespace: 'payments' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'ops-robot', namespace: 'platform' }],
    });
    addSecretFleet(fixture.emulator, { secrets: 240, perNamespace: 20 });
  }, 60_000);
  afterAll(async () => {
    await fixture?.emulator.stop();
  });

  it('the shards together find exactly what one run finds, each namespace in one shard and cluster-scoped objects in shard 0', async () => {
    const { whole, parts } = await scanShards(fixture);
    expect(whole.error).toBeUndefined();
    expect(whole.discoveries.length).toBeGreaterThan(400);
    for (const part of parts) expect(part.error).toBeUndefined();
    const opsRobot = whole.discoveries.find(d => d.location.startsWith('test/platform/ServiceAccount/ops-robot'));
    expect(opsRobot?.attributes.scopes).toEqual(expect.arrayContaining([expect.stringContaining('RoleBinding/payments/ops-reads-payments')]));

    // Same discoveries, field for field (RBAC grants, cert-manager management and namespace ownership included), each once.
    expect(parts.flatMap(p => described(p.discoveries)).sort()).toEqual(described(whole.discoveries));
    for (const [i, part] of parts.entries()) {
      for (const location of [...part.discoveries.map(d => d.location), ...part.covered]) {
        const namespace = namespaceOf(location);
        expect(namespace === '-' ? i === 0 : inShard(namespace, shards[i])).toBe(true);
      }
    }
    expect(parts.filter(p => p.discoveries.some(d => namespaceOf(d.location) !== '-')).length).toBe(COUNT);

    // Coverage and problems: the union is the unsharded run's, each reported by exactly one shard.
    expect(sorted(parts.flatMap(p => p.covered))).toEqual(sorted(whole.covered));
    expect(parts.flatMap(p => json(p.problems)).sort()).toEqual(json(whole.problems));
    expect(whole.problems.length).toBeGreaterThan(0);
  });

  it('each shard lists Secrets, ServiceAccounts and cert-manager Certificates only in its namespaces, RBAC whole, caBundles only in shard 0', async () => {
    const { parts } = await scanShards(fixture);
    const namespaceList = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/(secrets|serviceaccounts|certificates)$/;
    for (const [i, { paths }] of parts.entries()) {
      const listed = paths.map(p => namespaceList.exec(p)).filter(m => m !== null);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every(([, namespace]) => inShard(namespace, shards[i]))).toBe(true);
      expect(paths).not.toContain('/api/v1/secrets');
      expect(paths).toEqual(expect.arrayContaining(['/apis/rbac.authorization.k8s.io/v1/rolebindings', '/apis/rbac.authorization.k8s.io/v1/roles']));
      expect(paths.includes('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations')).toBe(i === 0);
    }
  });

  it('splits configured namespaces the same way', async () => {
    const namespaces = ['payments', 'platform', 'default', 'fleet-00001', 'fleet-00004', 'fleet-00009'];
    const { whole, parts } = await scanShards(fixture, { namespaces });
    expect(new Set(whole.discoveries.map(d => namespaceOf(d.location)))).toEqual(new Set([...namespaces, '-']));
    expect(parts.flatMap(p => described(p.discoveries)).sort()).toEqual(described(whole.discoveries));
    expect(sorted(parts.flatMap(p => p.covered))).toEqual(sorted(whole.covered));
  });
});

describe('a sharded kubernetes source in the real backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'a 3-shard run retires nothing while one shard is partial, then exactly the Secret gone from another shard (%p)',
    async databaseId => {
      const fixture = await startFixtureCluster();
      const knex = await databases.init(databaseId);
      const lines: string[] = [];
      const { backend, get, scan, identityAt } = await startKubernetesBackend(fixture, knex, lines, { shards: COUNT });
      const states = async () => Object.fromEntries((await get('/identities?limit=500')).items.map((i: any) => [i.id, i.state]));
      try {
        const first = await scan();
        expect(first).toMatchObject({ status: 'succeeded', retired: 0 });
        expect(sorted(lines.map(l => /Scanned cluster test \(shard (\d)\/3 of 4 namespaces\)/.exec(l)?.[1] ?? '').filter(Boolean))).toEqual(['1', '2', '3']);
        const before = await states();
        expect(Object.values(before).every(state => state === 'active')).toBe(true);
        const leaf = await identityAt('tls-certificate', 'api.payments.example.test');
        expect(leaf).toMatchObject({ management: 'automated', component: 'component:default/payments-api' });
        expect((await identityAt('service-account', 'platform/ci-deployer'))).toMatchObject({ privileged: true, staticKeys: 1 });

        // payments/api-tls (namespace payments: shard 2/3) goes, while the APIService list (read by shard 1/3 only) fails.
        expect(inShard('payments', shards[0])).toBe(false);
        fixture.emulator.store.delete(KubernetesEmulator.resource('secrets'), 'payments/api-tls');
        fixture.emulator.injectFault({ plural: 'apiservices', times: Infinity, status: 500 });
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(await states()).toEqual(before);

        fixture.emulator.clearFaults();
        const complete = await scan();
        expect(complete).toMatchObject({ status: 'succeeded', retired: 1 });
        expect(await states()).toEqual({ ...before, [leaf.id]: 'gone' });
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0 });
      } finally {
        await backend.stop();
        await fixture.emulator.stop();
      }
    },
  );
});
