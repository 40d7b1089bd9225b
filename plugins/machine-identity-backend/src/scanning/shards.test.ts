import { TestDatabases } from '@backstage/backend-test-utils';
import { type ScannerContext, inShard, shardOf } from '@keyring/plugin-machine-identity-node';
import { range, startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const SHARDS = 3;
const at = (n: number) => discovery(n, { location: `127.0.0.1:${1000 + n}` });
const sharded = { id: 'wide', type: 'test', shards: SHARDS, schedule: { frequency: { hours: 6 }, timeout: { minutes: 1 }, initialDelay: { hours: 1 } } };

/** A sharded scanner: each shard yields and covers only the endpoints of its shard, and records which shards ran. */
function shardedPlan(present: number[], options: { failShard?: number; ran?: number[] } = {}) {
  return async function* plan(context: ScannerContext) {
    options.ran?.push(context.shard!.index);
    if (context.shard?.index === options.failShard) throw new Error('connection pool exhausted');
    for (const n of range(1, 30)) {
      const where = `127.0.0.1:${1000 + n}`;
      if (!inShard(where, context.shard)) continue;
      context.reportCovered(where);
      if (present.includes(n)) yield at(n);
    }
  };
}

describe('shards', () => {
  afterEach(() => scanPlans.clear());

  it('assigns every key to exactly one shard, the same on every call', () => {
    const keys = range(1, 5000).map(n => `10.0.${n >> 8}.${n & 255}:443`);
    for (const count of [1, 2, 3, 7]) {
      const owners = keys.map(k => range(0, count - 1).filter(index => inShard(k, { index, count })));
      expect(owners.every(o => o.length === 1)).toBe(true);
      expect(keys.map(k => shardOf(k, count))).toEqual(owners.map(o => o[0]));
      // roughly even: no shard holds more than 1.2x its share
      const sizes = range(0, count - 1).map(i => owners.filter(o => o[0] === i).length);
      expect(Math.max(...sizes)).toBeLessThan((keys.length / count) * 1.2);
    }
    expect(inShard('anything', undefined)).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'a run counts an identity every shard sighted once, written (first run) or seen unchanged (next run) (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan } = await startTestPlugin(knex, [], {}, [], { extraSources: [sharded] });
      try {
        const own = shardedPlan(range(1, 30));
        // Identity 99 is served by an endpoint of every shard (one certificate on several hosts).
        scanPlans.set('wide', async function* plan(context) {
          yield* own(context);
          yield discovery(99, { location: `10.9.9.${context.shard!.index}:443` });
        });
        const first = await scan('wide');
        expect(first).toMatchObject({ status: 'succeeded', seen: 31, added: 31, retired: 0 });
        const shards = await knex('scan_shards').where({ run_id: first.id });
        expect(shards.reduce((sum, r) => sum + Number(r.seen), 0)).toBe(30 + SHARDS);
        const again = await scan('wide');
        expect(again).toMatchObject({ status: 'succeeded', seen: 31, added: 0, retired: 0 });
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a run of a sharded source is one run; a failed shard retires nothing, all shards succeeding retire the unseen once (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all, get } = await startTestPlugin(knex, [], {}, [], { extraSources: [sharded] });
      try {
        const ran: number[] = [];
        scanPlans.set('wide', shardedPlan(range(1, 30), { ran }));
        const first = await scan('wide');
        expect(first).toMatchObject({ status: 'succeeded', seen: 30, added: 30, retired: 0 });
        expect(ran.sort()).toEqual([0, 1, 2]);
        expect((await knex('scan_shards').where({ run_id: first.id, status: 'succeeded' })).length).toBe(SHARDS);

        // 28 and 29 are gone, but shard 1 fails: the run fails and retires nothing anywhere
        const failing = shardOf('127.0.0.1:1001', SHARDS);
        scanPlans.set('wide', shardedPlan(range(1, 27).concat(30), { failShard: failing }));
        const failed = await scan('wide');
        expect(failed).toMatchObject({ status: 'failed', retired: 0 });
        expect(failed.errors.map((e: any) => e.message)).toEqual(
          expect.arrayContaining([
            `Shard ${failing + 1}/${SHARDS}: connection pool exhausted`,
            expect.stringMatching(/^Nothing retired: shard\(s\) .*failed/),
          ]),
        );
        expect((await all('&state=active')).length).toBe(30);

        // every shard succeeds: 28 and 29 (in whichever shards) are retired, once
        scanPlans.set('wide', shardedPlan(range(1, 27).concat(30)));
        const complete = await scan('wide');
        expect(complete).toMatchObject({ status: 'succeeded', seen: 28, retired: 2 });
        expect((await all('&state=gone')).map(i => i.displayName).sort()).toEqual(['identity-28.example.test', 'identity-29.example.test']);
        const again = await scan('wide');
        expect(again).toMatchObject({ status: 'succeeded', retired: 0 });

        const sources = (await get('/sources')).body;
        const wide = (sources.items ?? sources).find((s: any) => s.id === 'wide');
        expect(wide.lastRun).toMatchObject({ id: again.id, status: 'succeeded', seen: 28 });
      } finally {
        await backend.stop();
      }
    },
  );
});
