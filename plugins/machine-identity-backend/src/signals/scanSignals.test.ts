import { type SchedulerService, coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import type { SignalPayload } from '@backstage/plugin-signals-node';
import { range, startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Every signal the real signals service (DefaultSignalsService → events service) publishes in the test backend. */
function signalRecorder() {
  const received: SignalPayload[] = [];
  const plugin: { scheduler?: SchedulerService } = {};
  const module = createBackendModule({
    pluginId: 'machine-identity',
    moduleId: 'signal-recorder',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef, scheduler: coreServices.scheduler },
        async init({ events, scheduler }) {
          plugin.scheduler = scheduler;
          await events.subscribe({
            id: 'signal-recorder',
            topics: ['signals'],
            onEvent: async event => {
              received.push(event.eventPayload as SignalPayload);
            },
          });
        },
      });
    },
  });
  return { received, module, plugin };
}

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('live scan signals', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'a real scan publishes its progress (done/total) while it runs, its outcome at the end, and one inventory change per owner (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const recorder = signalRecorder();
      const { backend, scan } = await startTestPlugin(knex, [], {}, [recorder.module]);
      try {
        scanPlans.set('alpha', async function* plan(context) {
          context.reportProgress({ done: 0, total: 3 });
          for (const n of range(1, 3)) {
            yield discovery(n);
            await pause(600);
            context.reportProgress({ done: n, total: 3 });
          }
        });
        const run = await scan('alpha');
        expect(run.status).toBe('succeeded');
        const progress = recorder.received.filter(s => s.channel === 'machine-identity:scan:alpha');
        expect(progress.every(s => s.recipients.type === 'broadcast')).toBe(true);
        const messages = progress.map(s => s.message);
        // the run's start, then the steps the scanner reported 600 ms apart, each pushed while the run was still running
        expect(messages.filter(m => m.status === 'running').map(m => `${m.done}/${m.total ?? '?'}`)).toEqual(['0/?', '0/3', '1/3', '2/3', '3/3']);
        expect(messages.every(m => m.scanId === run.id && m.sourceId === 'alpha')).toBe(true);
        expect(messages[messages.length - 1]).toMatchObject({ status: 'succeeded', done: 3, total: 3, seen: 3 });

        const changes = recorder.received.filter(s => s.channel.startsWith('machine-identity:inventory:'));
        expect(changes.map(s => s.channel)).toEqual(['machine-identity:inventory:group:default/security']);
        expect(changes[0].message).toEqual({ entityRef: 'group:default/security', changed: 3 });

        // an unchanged re-scan moves nothing in the change feed, so no inventory signal
        recorder.received.length = 0;
        scanPlans.set('alpha', async function* plan() {
          yield* range(1, 3).map(n => discovery(n));
        });
        expect((await scan('alpha')).status).toBe('succeeded');
        expect(recorder.received.filter(s => s.channel.startsWith('machine-identity:inventory:'))).toEqual([]);
        expect(recorder.received.some(s => s.channel === 'machine-identity:scan:alpha' && s.message.status === 'succeeded')).toBe(true);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'signals changes any writer makes (here: an owner moved in the database, as another replica would) on the next follow-up task run (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const recorder = signalRecorder();
      const { backend, scan } = await startTestPlugin(knex, [], {}, [recorder.module]);
      try {
        scanPlans.set('alpha', async function* plan() {
          yield* range(1, 2).map(n => discovery(n));
        });
        expect((await scan('alpha')).status).toBe('succeeded');
        recorder.received.length = 0;
        const latest = await knex('identities').max({ m: 'change_seq' }).first();
        const [first] = await knex('identities').orderBy('id').limit(1).select('id');
        await knex('identities').where({ id: first.id }).update({ owner: 'group:default/payments', change_seq: Number(latest?.m) + 1 });
        await recorder.plugin.scheduler!.triggerTask('machine-identity-inventory-signals');
        await vi.waitFor(() => expect(recorder.received.map(s => s.message)).toEqual([{ entityRef: 'group:default/payments', changed: 1 }]), { timeout: 5000 });
        // nothing moved since: the next run signals nothing
        await recorder.plugin.scheduler!.triggerTask('machine-identity-inventory-signals');
        await pause(300);
        expect(recorder.received).toHaveLength(1);
      } finally {
        await backend.stop();
      }
    },
  );
});
