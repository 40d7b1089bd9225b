import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { TestDatabases } from '@backstage/backend-test-utils';
import { type ScannerContext, inShard } from '@keyring/plugin-machine-identity-node';
import { range, startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const SHARDS = 3;
const sharded = {
  id: 'wide',
  type: 'test',
  shards: SHARDS,
  shardsPerReplica: 1,
  schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } },
};

describe('a manual scan recovering a crashed sharded source', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'runs the shards whose tasks a dead process holds on this replica, at most shardsPerReplica at once (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Backstage's real, database-coordinated scheduler: its claims on tasks live in the database.
      const { backend, scan } = await startTestPlugin(knex, [], {}, [schedulerServiceFactory], { extraSources: [sharded] });
      try {
        let running = 0;
        let most = 0;
        const ran: number[] = [];
        scanPlans.set('wide', async function* plan(context: ScannerContext) {
          running += 1;
          most = Math.max(most, running);
          ran.push(context.shard!.index);
          try {
            await new Promise(r => setTimeout(r, 300));
            for (const n of range(1, 30)) {
              const where = `127.0.0.1:${1000 + n}`;
              if (!inShard(where, context.shard)) continue;
              context.reportCovered(where);
              yield discovery(n, { location: where });
            }
          } finally {
            running -= 1;
          }
        });
        // A process that died mid-run still holds every shard task's scheduler claim (until the task's timeout and a janitor).
        const claimed = await knex('backstage_backend_tasks__tasks')
          .where('id', 'like', 'machine-identity-scan:wide#%')
          .update({ current_run_ticket: 'dead-process', current_run_started_at: knex.fn.now(), current_run_expires_at: new Date(Date.now() + 3_600_000) });
        expect(claimed).toBe(SHARDS);

        const run = await scan('wide');
        expect(run).toMatchObject({ status: 'succeeded', seen: 30, added: 30, retired: 0 });
        expect(ran.sort()).toEqual([0, 1, 2]);
        expect(most).toBe(1);
        expect((await knex('scan_shards').where({ run_id: run.id })).map(r => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      } finally {
        await backend.stop();
      }
    },
  );
});
