import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { inShard, type ScanShard } from '@keyring/plugin-machine-identity-node';
import { TestDatabases } from '@backstage/backend-test-utils';
import { deleteNamespace, startFixtureCluster, type FixtureCluster } from './__testUtils__/fixtureCluster';
import { emulatorSource, scanCluster } from './__testUtils__/scanCluster';
import { startKubernetesBackend } from './__testUtils__/startKubernetesBackend';
import { KubernetesScanner, type KubernetesScannerOptions } from './KubernetesScanner';

const COUNT = 3;
const shards = Array.from({ length: COUNT }, (_, index) => ({ index, count: COUNT }));
/** The namespace-level scopes (`test/<ns>/`) a scan reported. */
const namespaceScopes = (covered: string[]) => covered.filter(s => /^test\/[^/]+\/$/.test(s));

/**
 * The scanner in a context that, as the engine's does from its inventory,
 * answers `lastSeenScopes` with the places where `inventory` (the locations of
 * earlier runs' identities, kept by the test) holds something.
 */
function withInventory(inventory: Set<string>, options: KubernetesScannerOptions = {}): KubernetesScanner {
  const scanner = KubernetesScanner.create({ backoffMs: 10, ...options });
  const remembering = Object.create(scanner) as KubernetesScanner;
  remembering.scan = context =>
    scanner.scan({
      ...context,
      async *lastSeenScopes(under: string) {
        const places = [...inventory].filter(l => l.startsWith(under)).map(l => l.slice(0, l.indexOf('/', under.length) + 1) || l);
        yield* [...new Set(places)].sort();
      },
    });
  return remembering;
}

/** Runs a scan and adds the locations of what it found to `inventory`. */
async function scanInto(inventory: Set<string>, source: Record<string, unknown>, shard?: ScanShard, scanner = withInventory(inventory)) {
  const run = await scanCluster(source, {}, shard, scanner);
  for (const d of run.discoveries) inventory.add(d.location);
  return run;
}

describe('KubernetesScanner and a deleted namespace', () => {
  let fixture: FixtureCluster;
  beforeEach(async () => {
    fixture = await startFixtureCluster();
    // The kubernetes/api fixtures name namespace `namespaceValue`; a real API server keeps a namespace while it holds objects.
    fixture.emulator.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'namespaceValue' } });
  }, 60_000);
  afterEach(async () => {
    await fixture?.emulator.stop();
  });

  it('covers a namespace where identities were last seen that a complete list no longer holds, in every later run, and no other', async () => {
    const source = emulatorSource(fixture.emulator);
    const inventory = new Set<string>();
    const first = await scanInto(inventory, source);
    expect(first.error).toBeUndefined();
    expect(namespaceScopes(first.covered)).toEqual([]);
    expect(first.discoveries.some(d => d.location.startsWith('test/payments/'))).toBe(true);

    expect(deleteNamespace(fixture.emulator, 'payments')).toBeGreaterThan(3);
    // A namespace that held nothing is no evidence either way: the inventory has nothing to retire there.
    fixture.emulator.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } });
    await scanInto(inventory, source);
    deleteNamespace(fixture.emulator, 'empty');
    const second = await scanInto(inventory, source);
    expect(second.error).toBeUndefined();
    expect(second.discoveries.some(d => d.location.startsWith('test/payments/'))).toBe(false);
    // Cluster-scoped objects (`test/-/…`) are never taken for a namespace.
    expect([...inventory].some(l => l.startsWith('test/-/'))).toBe(true);
    expect(namespaceScopes(second.covered)).toEqual(['test/payments/']);
    // Reported again while the inventory holds it: the run that first missed it may have ended partial.
    expect(namespaceScopes((await scanInto(inventory, source)).covered)).toEqual(['test/payments/']);
    // Re-created, it is read again and no longer vanished.
    fixture.emulator.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } });
    expect(namespaceScopes((await scanInto(inventory, source)).covered)).toEqual([]);
  });

  it('reports no vanished namespace in a context that keeps no inventory (test kits)', async () => {
    const source = emulatorSource(fixture.emulator);
    expect((await scanCluster(source)).error).toBeUndefined();
    deleteNamespace(fixture.emulator, 'payments');
    const run = await scanCluster(source);
    expect(run.error).toBeUndefined();
    expect(namespaceScopes(run.covered)).toEqual([]);
  });

  it('a sharded source covers each vanished namespace in exactly the shard it belongs to', async () => {
    const source = emulatorSource(fixture.emulator);
    const inventory = new Set<string>();
    for (const shard of shards) expect((await scanInto(inventory, source, shard)).error).toBeUndefined();
    deleteNamespace(fixture.emulator, 'payments');
    deleteNamespace(fixture.emulator, 'platform');
    const parts = [];
    for (const shard of shards) parts.push(await scanInto(inventory, source, shard));
    for (const [i, part] of parts.entries()) {
      expect(part.error).toBeUndefined();
      expect(namespaceScopes(part.covered).sort()).toEqual(['payments', 'platform'].filter(ns => inShard(ns, shards[i])).map(ns => `test/${ns}/`));
    }
    expect(parts.flatMap(p => namespaceScopes(p.covered)).sort()).toEqual(['test/payments/', 'test/platform/']);
  });

  it.each([
    ['breaks off on its second page', { plural: 'namespaces', withContinue: true, times: Infinity, status: 500 }],
    ['is forbidden (403)', { plural: 'namespaces', times: Infinity, status: 403 }],
  ])('covers no namespace when the namespace list %s', async (_, fault) => {
    const source = emulatorSource(fixture.emulator);
    const inventory = new Set<string>();
    const scanner = withInventory(inventory, { pageSize: 2 });
    expect((await scanInto(inventory, source, undefined, scanner)).error).toBeUndefined();
    deleteNamespace(fixture.emulator, 'payments');
    fixture.emulator.injectFault(fault);
    const run = await scanInto(inventory, source, undefined, scanner);
    expect(run.error).toBeUndefined();
    expect(run.problems).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'test/-/namespaces', incomplete: true })]));
    expect(namespaceScopes(run.covered)).toEqual([]);
    expect(run.covered).not.toContain('test/');
  });

  it('covers no namespace of configured namespaces, even one that is now forbidden', async () => {
    const source = emulatorSource(fixture.emulator, { namespaces: ['platform', 'payments'] });
    const inventory = new Set<string>();
    expect((await scanInto(inventory, source)).error).toBeUndefined();
    // Everything in payments is forbidden from now on (as when a namespace-scoped RoleBinding granted the scanner its access).
    for (const plural of ['namespaces', 'secrets', 'serviceaccounts', 'certificates', 'roles', 'rolebindings']) {
      fixture.emulator.injectFault({ plural, skip: 1, times: Infinity, status: 403 });
    }
    const run = await scanInto(inventory, source);
    expect(run.problems.filter(p => p.incomplete).map(p => p.location)).toEqual(expect.arrayContaining(['test/payments/secrets', 'test/payments/serviceaccounts']));
    expect(run.covered.filter(s => s.startsWith('test/payments/'))).toEqual([]);
    expect(run.covered).toEqual(expect.arrayContaining(['test/-/APIService/']));
    expect(run.covered).not.toContain('test/');
  });
});

describe('KubernetesScanner of a cluster holding no malformed object', () => {
  let emulator: KubernetesEmulator;
  beforeEach(async () => {
    emulator = await KubernetesEmulator.start({ token: 'clean-cluster-token' });
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    emulator.add(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'platform' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'billing', namespace: 'platform' }, type: 'Opaque', data: { 'stripe.token': b64('tok_clean_cluster_1') } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: 'payments' } },
    );
  });
  afterEach(async () => {
    await emulator?.stop();
  });

  it('an unsharded run over every namespace covers the whole cluster', async () => {
    const run = await scanCluster(emulatorSource(emulator));
    expect(run.error).toBeUndefined();
    expect(run.discoveries.length).toBe(2);
    expect(run.covered).toContain('test/');
  });

  it.each([
    ['a malformed object is kept', () => emulator.add({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'broken', namespace: 'payments' }, type: 'Opaque', data: { token: '%%%not-base64' } }), {}],
    ['namespaces are configured', () => undefined, { namespaces: ['payments', 'platform'] }],
    ['a list is incomplete', () => emulator.injectFault({ plural: 'apiservices', times: Infinity, status: 500 }), {}],
  ])('does not cover the whole cluster when %s', async (_, change, extra) => {
    change();
    const run = await scanCluster(emulatorSource(emulator, extra));
    expect(run.error).toBeUndefined();
    expect(run.covered.length).toBeGreaterThan(0);
    expect(run.covered).not.toContain('test/');
  });

  it('a shard never covers the whole cluster', async () => {
    for (const shard of shards) expect((await scanCluster(emulatorSource(emulator), {}, shard)).covered).not.toContain('test/');
  });
});

type KubernetesBackend = Awaited<ReturnType<typeof startKubernetesBackend>>;

/** Runs `fn` against a started backend, then stops it (a restart is a stop and a new backend). */
async function whileRunning<T>(starting: Promise<KubernetesBackend>, fn: (backend: KubernetesBackend) => Promise<T>): Promise<T> {
  const backend = await starting;
  try {
    return await fn(backend);
  } finally {
    await backend.backend.stop();
  }
}

describe('a deleted namespace in the real backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId().flatMap(([id]) => [[id, 1], [id, COUNT]] as const))(
    'a namespace deleted while no backend ran is retired by a new backend on the same database, not while the namespace list fails (%s, %s shards)',
    async (databaseId, shardCount) => {
      const fixture = await startFixtureCluster();
      const knex = await databases.init(databaseId);
      const start = () => startKubernetesBackend(fixture, knex, [], shardCount > 1 ? { shards: shardCount } : {}, { retirement: { maxShare: 0.5 } });
      try {
        const { before, leaf, account } = await whileRunning(start(), async first => {
          expect(await first.scan()).toMatchObject({ status: 'succeeded', retired: 0 });
          const seen = {
            before: await first.states(),
            leaf: await first.identityAt('tls-certificate', 'api.payments.example.test'),
            account: await first.identityAt('service-account', 'payments/payments-api'),
          };
          expect([seen.leaf?.state, seen.account?.state]).toEqual(['active', 'active']);
          return seen;
        });

        deleteNamespace(fixture.emulator, 'payments');
        fixture.emulator.injectFault({ plural: 'namespaces', times: Infinity, status: 500 });
        await whileRunning(start(), async second => {
          expect(await second.scan()).toMatchObject({ status: 'partial', retired: 0 });
          expect(await second.states()).toEqual(before);

          fixture.emulator.clearFaults();
          expect(await second.scan()).toMatchObject({ status: 'succeeded', retired: 2 });
          // The cluster CA it also held is still seen in platform's Secrets.
          expect(await second.states()).toEqual({ ...before, [leaf.id]: 'gone', [account.id]: 'gone' });
        });
      } finally {
        await fixture.emulator.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'configured namespaces: one that becomes forbidden (403) retires nothing (%s)',
    async databaseId => {
      const fixture = await startFixtureCluster();
      const knex = await databases.init(databaseId);
      const { backend, scan, states } = await startKubernetesBackend(fixture, knex, [], { namespaces: ['platform', 'payments'] }, { retirement: { maxShare: 0.5 } });
      try {
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0 });
        const before = await states();
        deleteNamespace(fixture.emulator, 'payments');
        for (const plural of ['namespaces', 'secrets', 'serviceaccounts', 'certificates', 'roles', 'rolebindings']) {
          fixture.emulator.injectFault({ plural, skip: 1, times: Infinity, status: 403 });
        }
        expect(await scan()).toMatchObject({ status: 'partial', retired: 0 });
        expect(await states()).toEqual(before);
      } finally {
        await backend.stop();
        await fixture.emulator.stop();
      }
    },
  );
});
