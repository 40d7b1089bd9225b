import { TestDatabases } from '@backstage/backend-test-utils';
import type { MachineIdentityDiscovery, ScannerContext } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { API, AUTH, range, startTestPlugin } from '../__testUtils__/startTestPlugin';
import { covering, discovery, scanPlans, yields } from '../__testUtils__/testScannerModule';
import { startReviewsBackend } from '../reviews/__testUtils__/reviewsBackend';
import { terminateDuringTransaction } from './terminateConnections';

/**
 * PostgreSQL drops the backend's connections in the middle of its work (an
 * operator's pg_terminate_backend, a failover): the work in flight fails as a
 * whole, nothing is retired or half-decided, and the backend carries on with
 * new connections.
 */
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

const count = async (q: Knex.QueryBuilder) => Number((await q.count({ n: '*' }).first())!.n);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('faults: PostgreSQL connections terminated mid-transaction', () => {
  it.each(databases.eachSupportedId())(
    'a scan whose batch write loses its connection ends failed, retires nothing, and the next scan completes (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // No share guard: the fault alone must keep the 500 unseen identities.
      const { backend, http, scan, get } = await startTestPlugin(knex, [], { retirement: { maxShare: 1 } });
      try {
        const all = range(1, 2000).map(n => discovery(n));
        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...all)));
        expect(await scan('alpha')).toMatchObject({ status: 'succeeded', added: 2000 });

        // The second run covers every place but sees only 1..1500: a clean end would retire 500.
        const reached = deferred();
        const proceed = deferred();
        scanPlans.set('alpha', async function* plan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
          context.reportCovered('127.0.0.1');
          yield* all.slice(0, 999);
          reached.resolve();
          await proceed.promise;
          yield* all.slice(999, 1500);
        });
        // The test scheduler runs a triggered task inside the request: the response comes with the run's end.
        const started = http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH).then(res => res);
        await reached.promise;
        // The run the scanner is in: the one holding a lease (a queued manual request has none).
        const runningRuns = await knex('scan_runs').where({ source_id: 'alpha', status: 'running' }).whereNotNull('lease_token');
        expect(runningRuns).toHaveLength(1);
        const scanId = runningRuns[0].id as string;
        // The 1,000th discovery flushes a batch, whose transaction waits on the run's row, then loses its connection.
        const { terminated } = await terminateDuringTransaction(
          knex,
          tx => tx('scan_runs').where({ id: scanId }).forUpdate(),
          async () => proceed.resolve(),
        );
        expect(terminated).toBeGreaterThan(0);
        let run: any;
        for (let i = 0; i < 600; i++) {
          run = (await get(`/scans/${scanId}`)).body;
          if (run.status !== 'running') break;
          await new Promise(r => setTimeout(r, 100));
        }
        expect((await started).status).toBe(202);
        expect(run).toMatchObject({ status: 'failed', retired: 0 });
        expect(run.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(/terminat/i);
        expect(await count(knex('identities').where({ state: 'active' }))).toBe(2000);
        expect(await count(knex('audit_events').where({ action: 'gone' }))).toBe(0);

        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...all)));
        expect(await scan('alpha')).toMatchObject({ status: 'succeeded', seen: 2000, added: 0, retired: 0 });
        expect(await count(knex('identities'))).toBe(2000);
        expect(await count(knex('identities').where({ state: 'active' }))).toBe(2000);
        expect(await count(knex('observations').whereNull('gone_at'))).toBe(2000);

        // And the backend still retires on evidence afterwards.
        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...all.slice(0, 1500))));
        expect(await scan('alpha')).toMatchObject({ status: 'succeeded', retired: 500 });
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'a waiver approval whose transaction loses its connection leaves no waiver, no decision and no audit event; a retry decides once (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const portal = await startReviewsBackend(knex);
      const payments = { ownerHint: { owner: 'group:default/payments', via: 'test metadata' } };
      try {
        await portal.scan([
          discovery(1, { ...payments, attributes: { subject: 'CN=identity-1.example.test', keyAlgorithm: 'rsa', keySize: 1024 } }),
        ]);
        const id = (await portal.get('/identities?q=identity-1.example.test')).body.items[0].id as string;
        const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
        const requested = await portal.post(
          `/identities/${encodeURIComponent(id)}/waivers`,
          { ruleId: 'tls.key-size', reason: 'HSM cannot hold larger keys until Q3', expiresAt },
          'bob',
        );
        expect(requested.status).toBe(201);
        const requestId = requested.body.id as string;
        const decisions = () => count(knex('audit_events').where({ identity_id: id, action: 'waiver-added' }));

        const { outcome, terminated } = await terminateDuringTransaction(
          knex,
          tx => tx('waiver_requests').where({ id: requestId }).forUpdate(),
          async () => portal.post(`/waiver-requests/${requestId}/approve`, { comment: 'accepted risk' }, 'erin'),
        );
        expect(terminated).toBeGreaterThan(0);
        expect(outcome.status).toBe('fulfilled');
        const failed = outcome.status === 'fulfilled' ? outcome.value : undefined;
        expect(failed?.status).toBeGreaterThanOrEqual(500);
        expect(await count(knex('waivers').where({ identity_id: id }))).toBe(0);
        expect(await knex('waiver_requests').where({ id: requestId }).first()).toMatchObject({ state: 'requested', waiver_id: null });
        expect(await decisions()).toBe(0);
        const rules = async () => ((await portal.get(`/identities/${id}`)).body.violations as Array<{ ruleId: string }>).map(v => v.ruleId);
        expect(await rules()).toContain('tls.key-size');

        const approved = await portal.post(`/waiver-requests/${requestId}/approve`, { comment: 'accepted risk' }, 'erin');
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ state: 'approved', decidedBy: 'user:default/erin' });
        expect(await count(knex('waivers').where({ identity_id: id }))).toBe(1);
        expect(await decisions()).toBe(1);
        expect(await rules()).not.toContain('tls.key-size');
      } finally {
        await portal.stop();
      }
    },
  );
});
