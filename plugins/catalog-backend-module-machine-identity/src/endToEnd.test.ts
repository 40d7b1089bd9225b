import { createHash } from 'node:crypto';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  machineIdentityEntityName,
} from '@keyring/plugin-machine-identity-common';
import {
  type MachineIdentityDiscovery,
  createScannerModule,
} from '@keyring/plugin-machine-identity-node';
import request from 'supertest';
import { getEntity, listMachineIdentities, waitFor } from './testing/catalogApi';
import { orgFixtureModule } from './testing/orgFixtureModule';
import { providerHandleModule } from './testing/providerHandleModule';
import type { MachineIdentityEntityProvider } from './provider/MachineIdentityEntityProvider';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const fingerprint = (n: number) => createHash('sha256').update(`e2e-key-${n}`).digest('hex');

/** What the in-test scanner finds on its next run. */
let estate: MachineIdentityDiscovery[] = [];

const estateScannerModule = createScannerModule({
  moduleId: 'e2e-estate',
  scanner: {
    sourceTypes: ['e2e-estate'],
    async *scan(context) {
      yield* estate;
      // The estate lives on one host, looked at completely: what is not served there is gone.
      context.reportCovered('127.0.0.1');
    },
  },
});

const discovered = (n: number): MachineIdentityDiscovery => ({
  type: 'tls-certificate',
  fingerprintSha256: fingerprint(n),
  displayName: `svc-${n}.example.test`,
  attributes: { subject: `CN=svc-${n}.example.test`, keyAlgorithm: 'ECDSA', notAfter: '2027-06-01T00:00:00.000Z' },
  location: `127.0.0.1:${9000 + n}`,
  ownerHint: { owner: `group:default/team-${n % 3}`, component: `component:default/service-${n % 5}`, via: 'e2e label' },
});

describe.each(databases.eachSupportedId())('inventory to catalog, end to end, on %s', databaseId => {
  it('scans with the real machine-identity backend, reads its change feed and shows related entities; a re-scan mutates nothing', async () => {
    // Each plugin gets its own database, as in a real deployment.
    const knexByPlugin: Record<string, Awaited<ReturnType<typeof databases.init>>> = {
      catalog: await databases.init(databaseId),
      'machine-identity': await databases.init(databaseId),
    };
    const perPluginDatabase = createServiceFactory({
      service: coreServices.database,
      deps: { plugin: coreServices.pluginMetadata },
      factory: ({ plugin }) => ({ getClient: async () => knexByPlugin[plugin.getId()] }),
    });
    let provider: MachineIdentityEntityProvider | undefined;
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        import('@keyring/plugin-machine-identity-backend'),
        estateScannerModule,
        orgFixtureModule(3, 5),
        providerHandleModule(p => (provider = p)),
        perPluginDatabase,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: { processingInterval: { minutes: 30 }, stitchingStrategy: { pollingInterval: { milliseconds: 100 } } },
            machineIdentity: {
              fallbackOwner: 'group:default/team-0',
              sources: [{ id: 'lab', type: 'e2e-estate', schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } }],
            },
          },
        }),
      ],
    });
    const http = request(backend.server);
    const scan = async () => {
      const res = await http.post('/api/machine-identity/sources/lab/scan').set('authorization', mockCredentials.user.header());
      expect(res.status).toBe(202);
      return waitFor(async () => {
        const run = await http.get(`/api/machine-identity/scans/${res.body.scanId}`).set('authorization', mockCredentials.user.header());
        return run.body.status !== 'running' && run.body;
      });
    };
    try {
      estate = Array.from({ length: 12 }, (_, n) => discovered(n));
      expect(await scan()).toMatchObject({ status: 'succeeded', seen: 12 });

      const first = await provider!.poll();
      expect(first).toMatchObject({ kind: 'reconcile', feedItems: 12, added: 12, skipped: 0 });
      const items = await waitFor(async () => {
        const all = await listMachineIdentities(backend.server);
        return all.length === 12 && all.every(e => (e.relations ?? []).length === 2) && all;
      });
      const name = machineIdentityEntityName('tls-certificate', fingerprint(7));
      const seven = items.find(e => e.metadata.name === name)!;
      expect(seven.spec).toMatchObject({ type: 'tls-certificate', owner: 'group:default/team-1', component: 'component:default/service-2', lifecycle: 'production', status: { state: 'active' } });
      // Only what the catalog's users read: expiry, compliance and review status stay in Keyring's API.
      expect(Object.keys(seven.spec!).sort()).toEqual(['component', 'lifecycle', 'owner', 'status', 'type']);
      expect(seven.spec!.status).toEqual({ state: 'active' });
      expect((seven.relations ?? []).map(r => `${r.type} ${r.targetRef}`).sort()).toEqual([
        'dependencyOf component:default/service-2',
        'ownedBy group:default/team-1',
      ]);
      await waitFor(async () => {
        const c = await getEntity(backend.server, 'Component', 'service-2');
        return (c?.relations ?? []).some(r => r.type === 'dependsOn' && r.targetRef === `machineidentity:default/${name}`);
      });

      // The same estate again: the inventory records nothing catalog-relevant, so nothing is mutated.
      expect(await scan()).toMatchObject({ status: 'succeeded', seen: 12 });
      expect(await provider!.poll()).toMatchObject({ feedItems: 0, mutations: 0 });

      // One identity disappears: a succeeded scan retires it (gone), the catalog shows it deprecated.
      estate = estate.filter(d => d.fingerprintSha256 !== fingerprint(7));
      expect(await scan()).toMatchObject({ status: 'succeeded', retired: 1 });
      expect(await provider!.poll()).toMatchObject({ feedItems: 1, mutations: 1, added: 1 });
      const gone = await waitFor(async () => {
        const e = await getEntity(backend.server, 'MachineIdentity', name);
        return (e?.spec as any)?.status?.state === 'gone' && e;
      });
      expect(gone.spec).toMatchObject({ lifecycle: 'deprecated' });
    } finally {
      await backend.stop();
    }
  });
});
