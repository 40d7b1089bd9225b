import {
  type SchedulerService,
  type SchedulerServiceTaskInvocationDefinition,
  type SchedulerServiceTaskScheduleDefinition,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { type CatalogService, catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { discovery, scanPlans, testScannerModule, yields } from '../__testUtils__/testScannerModule';
import { machineIdentityPlugin } from '../plugin';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const API = '/api/machine-identity';
const AUTH = mockCredentials.user.header();

function component(name: string, owner: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

type Task = SchedulerServiceTaskScheduleDefinition & SchedulerServiceTaskInvocationDefinition;

async function start(knex: any, ownershipSchedule?: object) {
  // a catalog whose content the test replaces, as ingestion would
  let catalog: CatalogService = catalogServiceMock({ entities: [] });
  const setCatalog = (entities: Entity[]) => {
    catalog = catalogServiceMock({ entities });
  };
  const tasks = new Map<string, Task>();
  const scheduler = mockServices.scheduler();
  const recordingScheduler: SchedulerService = {
    ...scheduler,
    scheduleTask: async (task: Task) => {
      tasks.set(task.id, task);
      await scheduler.scheduleTask(task);
    },
    triggerTask: id => scheduler.triggerTask(id),
    getScheduledTasks: () => scheduler.getScheduledTasks(),
    createScheduledTaskRunner: schedule => scheduler.createScheduledTaskRunner(schedule),
    cancelTask: id => scheduler.cancelTask(id),
  };
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      mockServices.database.factory({ knex }),
      createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => recordingScheduler }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () =>
          new Proxy({} as CatalogService, {
            get: (_, key) => {
              const value = (catalog as any)[key];
              return typeof value === 'function' ? value.bind(catalog) : value;
            },
          }),
      }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            sources: [{ id: 'alpha', type: 'test' }],
            ...(ownershipSchedule ? { ownership: { schedule: ownershipSchedule } } : {}),
          },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const get = (path: string) => http.get(`${API}${path}`).set('Authorization', AUTH);
  const scan = async () => {
    const res = await http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
    expect(res.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const run = await get(`/scans/${res.body.scanId}`);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('scan did not finish');
  };
  const identities = async () =>
    Object.fromEntries(((await get('/identities?limit=500')).body.items as any[]).map(i => [i.displayName.split('.')[0], i]));
  const orphanViolations = async () =>
    ((await get('/violations?ruleId=any.orphan&limit=500')).body.items as any[]).map(v => v.identityDisplayName.split('.')[0]).sort();
  return { backend, tasks, trigger: (id: string) => scheduler.triggerTask(id), setCatalog, scan, identities, orphanViolations };
}

describe('ownership re-resolution', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'links identities scanned before catalog ingestion as soon as Components appear, and re-evaluates orphans (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const t = await start(knex);
      try {
        scanPlans.set(
          'alpha',
          yields(
            discovery(1, { links: { hostnames: ['api.payments.example.test'] } }),
            discovery(2, { links: { hostnames: ['nobody.example.test'] } }),
          ),
        );
        await t.scan();
        expect((await t.identities())['identity-1']).toMatchObject({ ownershipRule: 'fallback', owner: 'group:default/security' });
        expect(await t.orphanViolations()).toEqual(['identity-1', 'identity-2']);

        // the catalog is still empty: the catch-up task keeps waiting
        await t.trigger('machine-identity-ownership-catch-up');
        expect(await t.orphanViolations()).toEqual(['identity-1', 'identity-2']);

        t.setCatalog([component('payments-api', 'group:default/payments', { 'keyring.io/hostnames': 'api.payments.example.test' })]);
        await t.trigger('machine-identity-ownership-catch-up');
        expect((await t.identities())['identity-1']).toMatchObject({
          owner: 'group:default/payments',
          component: 'component:default/payments-api',
          ownershipRule: 'component-annotation',
        });
        expect(await t.orphanViolations()).toEqual(['identity-2']);

        // once caught up, the catch-up task does nothing more: changes wait for the scheduled re-resolution
        t.setCatalog([]);
        await t.trigger('machine-identity-ownership-catch-up');
        expect((await t.identities())['identity-1'].ownershipRule).toBe('component-annotation');
        await t.trigger('machine-identity-ownership');
        expect((await t.identities())['identity-1']).toMatchObject({ ownershipRule: 'fallback' });
        expect(await t.orphanViolations()).toEqual(['identity-1', 'identity-2']);

        // the Component comes back with another owner: the violation goes away again
        t.setCatalog([component('payments-api', 'group:default/treasury', { 'keyring.io/hostnames': 'api.payments.example.test' })]);
        await t.trigger('machine-identity-ownership');
        expect((await t.identities())['identity-1'].owner).toBe('group:default/treasury');
        expect(await t.orphanViolations()).toEqual(['identity-2']);
      } finally {
        await t.backend.stop();
      }
    },
  );

  it('reads its schedule from machineIdentity.ownership.schedule, every 30 minutes by default', async () => {
    const configured = await start(await databases.init('SQLITE_3'), { frequency: { minutes: 5 }, timeout: { minutes: 2 } });
    try {
      expect(configured.tasks.get('machine-identity-ownership')).toMatchObject({ frequency: { minutes: 5 }, timeout: { minutes: 2 } });
      expect(configured.tasks.get('machine-identity-ownership-catch-up')).toMatchObject({ frequency: { seconds: 10 }, scope: 'local' });
    } finally {
      await configured.backend.stop();
    }
    const defaults = await start(await databases.init('SQLITE_3'));
    try {
      expect(defaults.tasks.get('machine-identity-ownership')).toMatchObject({ frequency: { minutes: 30 }, timeout: { minutes: 15 } });
    } finally {
      await defaults.backend.stop();
    }
  });
});
