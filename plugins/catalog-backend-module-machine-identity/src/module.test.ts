import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { machineIdentityEntityName } from '@keyring/plugin-machine-identity-common';
import request from 'supertest';
import { getEntity, listMachineIdentities, waitFor } from './testing/catalogApi';
import { ChangeFeedEmulator, makeIdentity } from './testing/changeFeedEmulator';
import { orgFixtureModule } from './testing/orgFixtureModule';
import { providerHandleModule } from './testing/providerHandleModule';
import type {
  MachineIdentityEntityProvider,
  MachineIdentityEntityProviderOptions,
} from './provider/MachineIdentityEntityProvider';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;

const catalogConfig = {
  backend: { baseUrl: 'http://localhost:7007' },
  catalog: {
    processingInterval: { minutes: 30 },
    stitchingStrategy: { pollingInterval: { milliseconds: 100 } },
  },
};

const nameOf = (n: number) => machineIdentityEntityName('tls-certificate', makeIdentity(n).fingerprintSha256);
const relationsOf = (entity: Entity | undefined) =>
  (entity?.relations ?? []).map(r => `${r.type} ${r.targetRef}`).sort();

describe.each(databases.eachSupportedId())('MachineIdentity in the catalog on %s', databaseId => {
  it('the module itself, added to a backend, ingests the inventory on its schedule', async () => {
    const knex = await databases.init(databaseId);
    const emulator = new ChangeFeedEmulator();
    emulator.upsert(...Array.from({ length: 10 }, (_, n) => makeIdentity(n)));
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        import('./index'),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: { ...catalogConfig, machineIdentity: { catalog: { schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } } } } },
        }),
        mockServices.scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
        emulator.plugin(),
        orgFixtureModule(20, 200),
      ],
    });
    try {
      const items = await waitFor(async () => {
        const all = await listMachineIdentities(backend.server);
        return all.length === 10 && all.every(e => (e.relations ?? []).length === 2) && all;
      });
      expect(relationsOf(items.find(e => e.metadata.name === nameOf(4)))).toEqual([
        'dependencyOf component:default/service-4',
        'ownedBy group:default/team-4',
      ]);
      expect(emulator.requests.unauthorized).toBe(0);
    } finally {
      await backend.stop();
    }
  });

  it('with ownerSideRelations: false the module emits only the identity-side relations, and the ownedBy filter still finds them', async () => {
    const knex = await databases.init(databaseId);
    const emulator = new ChangeFeedEmulator();
    emulator.upsert(...Array.from({ length: 10 }, (_, n) =>
      makeIdentity(n, { owner: `group:default/team-${n % 2}`, component: `component:default/service-${n % 2}` })));
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        import('./index'),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            ...catalogConfig,
            machineIdentity: { catalog: { ownerSideRelations: false, schedule: { frequency: { seconds: 1 }, timeout: { minutes: 1 } } } },
          },
        }),
        mockServices.scheduler.factory({ includeInitialDelayedTasksOnStartup: true }),
        emulator.plugin(),
        orgFixtureModule(2, 2),
      ],
    });
    try {
      const items = await waitFor(async () => {
        const all = await listMachineIdentities(backend.server);
        return all.length === 10 && all.every(e => (e.relations ?? []).length === 2) && all;
      });
      expect(relationsOf(items.find(e => e.metadata.name === nameOf(3)))).toEqual([
        'dependencyOf component:default/service-1',
        'ownedBy group:default/team-1',
      ]);
      // Everything stitched: the Group and Component list no machine identity.
      await waitFor(async () => Number((await knex('stitch_queue').count({ n: '*' }))[0].n) === 0);
      const group = await getEntity(backend.server, 'Group', 'team-1');
      const component = await getEntity(backend.server, 'Component', 'service-1');
      expect(group).toBeDefined();
      expect(relationsOf(group).filter(r => r.includes('machineidentity:'))).toEqual([]);
      expect(relationsOf(component).filter(r => r.includes('machineidentity:'))).toEqual([]);
      const owned = await request(backend.server)
        .get('/api/catalog/entities/by-query')
        .query({ filter: 'kind=MachineIdentity,relations.ownedBy=group:default/team-1' })
        .set('authorization', mockCredentials.user.header());
      expect(owned.body.items.map((e: Entity) => e.metadata.name).sort()).toEqual(
        [1, 3, 5, 7, 9].map(nameOf).sort(),
      );
    } finally {
      await backend.stop();
    }
  });

  async function start(
    options: Partial<MachineIdentityEntityProviderOptions> = {},
    reuse?: { knex: Awaited<ReturnType<typeof databases.init>>; emulator: ChangeFeedEmulator },
    onMutation?: (mutation: EntityProviderMutation) => void,
  ) {
    const knex = reuse?.knex ?? (await databases.init(databaseId));
    const emulator = reuse?.emulator ?? new ChangeFeedEmulator();
    let provider: MachineIdentityEntityProvider | undefined;
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({ data: catalogConfig }),
        emulator.plugin(),
        orgFixtureModule(3, 5),
        providerHandleModule(p => (provider = p), options, undefined, onMutation),
      ],
    });
    return { backend, emulator, provider: provider!, server: backend.server, knex };
  }

  async function waitForCount(server: Parameters<typeof listMachineIdentities>[0], count: number) {
    return waitFor(async () => {
      const items = await listMachineIdentities(server);
      return items.length === count && items;
    });
  }

  it('makes identities from the change feed visible with both directions of their Group and Component relations', async () => {
    const { backend, emulator, provider, server } = await start();
    try {
      emulator.upsert(...Array.from({ length: 30 }, (_, n) =>
        makeIdentity(n, { owner: `group:default/team-${n % 3}`, component: `component:default/service-${n % 5}` })));
      const run = await provider.poll();
      expect(run).toMatchObject({ kind: 'reconcile', feedItems: 30, added: 30, removed: 0, complete: true });
      expect(emulator.requests.ok).toBeGreaterThan(0);
      expect(emulator.requests.unauthorized).toBe(0);

      await waitFor(async () => {
        const items = await listMachineIdentities(server);
        return items.length === 30 && items.every(e => (e.relations ?? []).length === 2) && items;
      });
      const seven = await getEntity(server, 'MachineIdentity', nameOf(7));
      expect(seven?.spec).toMatchObject({ type: 'tls-certificate', lifecycle: 'production', status: { state: 'active' } });
      expect(relationsOf(seven)).toEqual([
        'dependencyOf component:default/service-2',
        'ownedBy group:default/team-1',
      ]);
      const group = await waitFor(async () => {
        const g = await getEntity(server, 'Group', 'team-1');
        return relationsOf(g).filter(r => r.startsWith('ownerOf machineidentity:')).length === 10 && g;
      });
      expect(relationsOf(group)).toContain(`ownerOf machineidentity:default/${nameOf(7)}`);
      const component = await waitFor(async () => {
        const c = await getEntity(server, 'Component', 'service-2');
        return relationsOf(c).filter(r => r.startsWith('dependsOn machineidentity:')).length === 6 && c;
      });
      expect(relationsOf(component)).toContain(`dependsOn machineidentity:default/${nameOf(7)}`);
    } finally {
      await backend.stop();
    }
  });

  it('sends the feed grouped by owner and component across pages, and in feed order with orderWindow 0', async () => {
    const addedBy = (m: EntityProviderMutation) => (m.type === 'delta' ? m.added : m.entities);
    const ownersOf = (mutations: EntityProviderMutation[]) =>
      mutations.map(m => [...new Set(addedBy(m).map(d => String(d.entity.spec?.owner)))]);
    const feed = Array.from({ length: 30 }, (_, n) =>
      makeIdentity(n, { owner: `group:default/team-${n % 3}`, component: `component:default/service-${n % 5}` }));
    for (const orderWindow of [undefined, 0]) {
      const mutations: EntityProviderMutation[] = [];
      const { backend, emulator, provider, server } = await start({ batchSize: 10, orderWindow }, undefined, m => mutations.push(m));
      try {
        emulator.upsert(...feed);
        expect(await provider.poll()).toMatchObject({ feedItems: 30, added: 30, mutations: 3 });
        await waitForCount(server, 30);
        if (orderWindow === undefined) {
          // Three feed pages of interleaved owners become one Group per mutation.
          expect(ownersOf(mutations)).toEqual([['group:default/team-0'], ['group:default/team-1'], ['group:default/team-2']]);
          const components = addedBy(mutations[0]).map(d => String(d.entity.spec?.component));
          expect(components).toEqual([...components].sort());
        } else {
          expect(ownersOf(mutations).every(owners => owners.length === 3)).toBe(true);
        }
        // A delta poll groups the same way: a later change touches only its identities.
        emulator.upsert(makeIdentity(4, { owner: 'group:default/team-1', component: 'component:default/service-4' }),
          makeIdentity(5, { owner: 'group:default/team-0', component: 'component:default/service-0' }),
          makeIdentity(7, { owner: 'group:default/team-1', component: 'component:default/service-2' }));
        mutations.length = 0;
        expect(await provider.poll()).toMatchObject({ kind: 'poll', feedItems: 3, added: 3 });
        const names = mutations.flatMap(m => addedBy(m).map(d => d.entity.metadata.name));
        expect(names).toEqual(orderWindow === undefined ? [5, 7, 4].map(nameOf) : [4, 5, 7].map(nameOf));
      } finally {
        await backend.stop();
      }
    }
  });

  it('removes an identity whose retention ended while the feed window that added it was read, in a reconcile and a poll', async () => {
    const { backend, emulator, provider, server } = await start({ batchSize: 10, retentionMs: DAY });
    try {
      // After the first page of a read is served, `n` (on it) is retired long ago: the feed serves it again, later.
      const page = emulator.page.bind(emulator);
      const retireAfterFirstPage = (n: number) => {
        let served = 0;
        emulator.page = (since, limit) => {
          const answer = page(since, limit);
          if (++served === 1) emulator.upsert({ ...makeIdentity(n, { state: 'gone' }), stateChangedAt: '2026-01-01T00:00:00.000Z' });
          return answer;
        };
      };
      emulator.upsert(...Array.from({ length: 30 }, (_, n) => makeIdentity(n)));
      retireAfterFirstPage(3);
      expect(await provider.poll()).toMatchObject({ kind: 'reconcile', added: 30, removed: 1 });
      expect((await waitForCount(server, 29)).map(e => e.metadata.name)).not.toContain(nameOf(3));

      emulator.upsert(...Array.from({ length: 20 }, (_, n) => makeIdentity(30 + n)));
      retireAfterFirstPage(32);
      expect(await provider.poll()).toMatchObject({ kind: 'poll', added: 20, removed: 1 });
      expect((await waitForCount(server, 48)).map(e => e.metadata.name)).not.toContain(nameOf(32));
      expect(await provider.reconcile()).toMatchObject({ added: 0, removed: 0 });
    } finally {
      await backend.stop();
    }
  });

  it('mutates nothing on an unchanged re-scan and only the changed identity on a change', async () => {
    const { backend, emulator, provider, server } = await start();
    try {
      emulator.upsert(...Array.from({ length: 20 }, (_, n) => makeIdentity(n)));
      await provider.poll();
      await waitForCount(server, 20);

      const before = provider.getTotals();
      const unchanged = await provider.poll();
      expect(unchanged).toMatchObject({ kind: 'poll', feedItems: 0, mutations: 0, added: 0, removed: 0 });
      const reconciled = await provider.reconcile();
      expect(reconciled).toMatchObject({ feedItems: 20, mutations: 0, added: 0, removed: 0 });
      expect(provider.getTotals()).toEqual(before);

      emulator.upsert(makeIdentity(3, { state: 'pending-revocation', violationCount: 2 }));
      const changed = await provider.poll();
      expect(changed).toMatchObject({ feedItems: 1, mutations: 1, added: 1, removed: 0 });
      const three = await waitFor(async () => {
        const e = await getEntity(server, 'MachineIdentity', nameOf(3));
        return (e?.spec as any)?.status?.state === 'pending-revocation' && e;
      });
      expect(three.spec).toMatchObject({ lifecycle: 'deprecated' });
      // Compliance stays in Keyring's API: the entity carries only the inventory state.
      expect(Object.keys((three.spec as any).status).sort()).toEqual(['state', 'stateChangedAt']);
      expect(await provider.poll()).toMatchObject({ feedItems: 0, mutations: 0 });
    } finally {
      await backend.stop();
    }
  });

  it('refuses mass removal when the feed fails, comes back empty or lost most identities, and repairs smaller drift', async () => {
    const { backend, emulator, provider, server } = await start({ removalGuardMinCount: 5 });
    try {
      emulator.upsert(...Array.from({ length: 20 }, (_, n) => makeIdentity(n)));
      await provider.poll();
      await waitForCount(server, 20);

      emulator.failing = true;
      expect(await provider.reconcile()).toMatchObject({ complete: false, removed: 0, mutations: 0 });
      expect(await provider.poll()).toMatchObject({ complete: false, removed: 0, mutations: 0 });
      emulator.failing = false;

      emulator.empty = true;
      expect(await provider.reconcile()).toMatchObject({ complete: true, removed: 0, refusedRemovals: 20, mutations: 0 });
      emulator.empty = false;

      emulator.delete(...Array.from({ length: 12 }, (_, n) => makeIdentity(n).id)); // 60 % gone
      expect(await provider.reconcile()).toMatchObject({ removed: 0, refusedRemovals: 12, mutations: 0 });
      expect(await listMachineIdentities(server)).toHaveLength(20);

      emulator.upsert(...Array.from({ length: 9 }, (_, n) => makeIdentity(n + 3))); // back to 17; 3 gone = 15 %
      const repaired = await provider.reconcile();
      expect(repaired).toMatchObject({ complete: true, removed: 3, refusedRemovals: 0 });
      const left = await waitForCount(server, 17);
      expect(left.map(e => e.metadata.name)).not.toContain(nameOf(0));

      // Drift on the catalog side: an entity unregistered by hand comes back on reconcile.
      const victim = left.find(e => e.metadata.name === nameOf(10))!;
      const res = await request(server)
        .delete(`/api/catalog/entities/by-uid/${victim.metadata.uid}`)
        .set('authorization', mockCredentials.user.header());
      expect(res.status).toBe(204);
      await waitForCount(server, 16);
      expect(await provider.reconcile()).toMatchObject({ added: 1, removed: 0 });
      await waitForCount(server, 17);
    } finally {
      await backend.stop();
    }
  });

  it('keeps revoked and gone identities visible with their status for the retention, then removes them', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const { backend, emulator, provider, server } = await start({ retentionMs: 7 * DAY, now: () => now });
    try {
      emulator.upsert(...Array.from({ length: 5 }, (_, n) => makeIdentity(n)));
      const later = new Date(now + 5 * DAY).toISOString();
      emulator.upsert({ ...makeIdentity(5, { state: 'gone' }), stateChangedAt: later });
      emulator.upsert({ ...makeIdentity(6, { state: 'revoked' }), stateChangedAt: later });
      await provider.poll();
      await waitForCount(server, 7);

      emulator.upsert({ ...makeIdentity(1, { state: 'revoked' }), stateChangedAt: new Date(now).toISOString() });
      await provider.poll();
      const revoked = await waitFor(async () => {
        const e = await getEntity(server, 'MachineIdentity', nameOf(1));
        return (e?.spec as any)?.status?.state === 'revoked' && e;
      });
      expect((revoked.spec as any).status.stateChangedAt).toBe(new Date(now).toISOString());

      now += 6 * DAY;
      expect(await provider.poll()).toMatchObject({ mutations: 0, removed: 0 });
      now += 2 * DAY;
      expect(await provider.poll()).toMatchObject({ mutations: 1, removed: 1 });
      const left = await waitForCount(server, 6);
      expect(left.map(e => e.metadata.name)).not.toContain(nameOf(1));
      // A reconcile agrees and does not bring it back.
      expect(await provider.reconcile()).toMatchObject({ added: 0, removed: 0 });
    } finally {
      await backend.stop();
    }
  });

  it('rejects invalid MachineIdentity entities with a clear error and skips feed items that cannot become one', async () => {
    const { backend, emulator, provider, server } = await start();
    try {
      const res = await request(server)
        .post('/api/catalog/validate-entity')
        .set('authorization', mockCredentials.user.header())
        .send({
          location: 'url:https://example.test/x.yaml',
          entity: {
            apiVersion: 'keyring.io/v1alpha1',
            kind: 'MachineIdentity',
            metadata: { name: 'tls-bad' },
            spec: { type: 'password', lifecycle: 'production', status: { state: 'active', compliance: 'compliant', review: 'never', management: 'manual' } },
          },
        });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/\/spec\/type must be equal to one of the allowed values/);

      emulator.upsert(makeIdentity(1), { ...makeIdentity(2), fingerprintSha256: 'NOT-HEX' });
      const run = await provider.poll();
      expect(run).toMatchObject({ feedItems: 2, added: 1, skipped: 1 });
      await waitForCount(server, 1);
    } finally {
      await backend.stop();
    }
  });

  it('after a restart rebuilds its state from the feed and the catalog, keeps names and removes what the inventory lost meanwhile', async () => {
    const first = await start();
    first.emulator.upsert(...Array.from({ length: 10 }, (_, n) => makeIdentity(n)));
    await first.provider.poll();
    const before = await waitForCount(first.server, 10);
    await first.backend.stop();

    first.emulator.delete(makeIdentity(8).id, makeIdentity(9).id);
    const second = await start({}, { knex: first.knex, emulator: first.emulator });
    try {
      const run = await second.provider.poll();
      expect(run).toMatchObject({ kind: 'reconcile', feedItems: 8, removed: 2, refusedRemovals: 0 });
      const after = await waitForCount(second.server, 8);
      const uid = (list: Entity[], name: string) => list.find(e => e.metadata.name === name)?.metadata.uid;
      expect(uid(after, nameOf(3))).toBe(uid(before, nameOf(3)));
      expect(after.map(e => e.metadata.name)).not.toContain(nameOf(9));
      expect(await second.provider.poll()).toMatchObject({ kind: 'poll', mutations: 0 });
    } finally {
      await second.backend.stop();
    }
  });
});
