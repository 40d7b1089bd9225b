import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { STALE_AFTER_MS } from './RunLease';
import { claimSourceRun } from './sourceClaim';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const TIMEOUT_MS = 60_000;

describe('claimSourceRun', () => {
  it.each(databases.eachSupportedId())(
    'claims one run of a source however many ask at once, never supersedes a live run, and fails one whose heartbeat stopped (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const runs = stores.scanRuns;
      const t0 = Date.parse('2026-12-01T10:00:00.000Z');
      const claim = (now: number, trigger: 'schedule' | 'manual' = 'manual') =>
        claimSourceRun({ runs, sourceId: 'alpha', timeoutMs: TIMEOUT_MS, trigger, takeQueued: trigger === 'schedule', now });

      // Eight claims at once (separate connections on PostgreSQL): exactly one wins, the others see its live lease.
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => claim(t0)));
      const winners = outcomes.filter(o => o.claimed);
      expect(winners).toHaveLength(1);
      const winner = winners[0] as Extract<(typeof outcomes)[number], { claimed: true }>;
      for (const o of outcomes.filter(x => !x.claimed)) {
        expect(o).toMatchObject({ claimed: false, live: { id: winner.scanId, status: 'running' } });
      }
      expect(Number((await knex('scan_runs').count({ n: '*' }).first())!.n)).toBe(1);

      // The winner heart-beats: a scheduled run 30 s later does not supersede it.
      expect(await runs.heartbeat(winner.scanId, winner.token, new Date(t0 + 20_000).toISOString())).toBe(true);
      expect(await claim(t0 + 30_000, 'schedule')).toMatchObject({ claimed: false, live: { id: winner.scanId } });
      expect((await runs.get(winner.scanId))?.status).toBe('running');

      // Its process dies: once the heartbeat is stale the next claim fails it and takes the source.
      const next = await claim(t0 + 20_000 + STALE_AFTER_MS + 1, 'schedule');
      expect(next).toMatchObject({ claimed: true, abandoned: 1 });
      expect(await runs.get(winner.scanId)).toMatchObject({ status: 'failed', errors: [{ message: expect.stringMatching(/Abandoned/) }] });
      expect(await runs.heartbeat(winner.scanId, winner.token, new Date(t0 + 70_000).toISOString())).toBe(false);

      // A run that outlived its timeout (plus grace) is not live even with a fresh heartbeat.
      const taken = next as Extract<typeof next, { claimed: true }>;
      const late = t0 + 20_000 + STALE_AFTER_MS + TIMEOUT_MS + 6 * 60_000;
      expect(await runs.heartbeat(taken.scanId, taken.token, new Date(late - 1000).toISOString())).toBe(true);
      expect(await claim(late, 'schedule')).toMatchObject({ claimed: true, abandoned: 1 });

      // A scheduled claim takes a queued manual request instead of creating a run.
      await knex('scan_runs').where({ status: 'running' }).update({ status: 'failed' });
      await runs.create({ id: 'queued', sourceId: 'alpha', trigger: 'manual', startedAt: new Date(late).toISOString(), claimed: false });
      expect(await claim(late + 1000, 'schedule')).toMatchObject({ claimed: true, scanId: 'queued', abandoned: 0 });
      expect(await knex('scan_runs').where({ id: 'queued' }).first()).toMatchObject({ status: 'running', trigger: 'manual' });
      expect((await knex('scan_runs').where({ id: 'queued' }).first()).lease_token).toBeTruthy();
    },
  );
});
