import { STALE_AFTER_MS } from '../scanning/RunLease';
import { API, AUTH } from '../__testUtils__/startTestPlugin';
import { type BackendProcess, SERVER, count, freshDatabase, killed, nextLine, scan, startBackend, waitForRun } from './backendProcess';

/**
 * A backend process is killed (SIGKILL: no shutdown hooks, no rollback by the
 * process) in the middle of a scan and another backend process carries on on
 * the same PostgreSQL database: the orphaned run is failed by the stale-run
 * sweep, nothing is retired, and a scan requested next runs at once on the
 * surviving process although Backstage's scheduler still holds the dead
 * process's claim on the source's task, and completes with no duplicates.
 * The backends are real separate Node processes (see __fixtures__/scanningBackend.ts).
 */
const DATABASE = 'keyring_fault_backend_killed';
/** How often the sweep runs (RunLease.ts): a dead run is failed within STALE_AFTER_MS plus one sweep period. */
const SWEEP_PERIOD_MS = 15_000;
/**
 * Source `alpha`'s timeout here: also how long Backstage's scheduler keeps the task claimed by the killed process
 * (plus up to a minute until its janitor clears it) — longer than the test, so the scan after the kill can only
 * be accepted through Keyring's own lease.
 */
const SOURCE_TIMEOUT = { KEYRING_FAULT_TIMEOUT_SECONDS: '600' };
const started: BackendProcess[] = [];

describe.skipIf(!SERVER)('faults: a backend process killed mid-scan (PostgreSQL, real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const knex = () => db.knex;

  beforeAll(async () => {
    db = await freshDatabase(DATABASE);
  });

  afterAll(async () => {
    await Promise.all(started.map(killed));
    await db?.drop();
  });

  it('the orphaned run is failed within the lease timeout, nothing is retired, and the next scan on another process completes once per identity', async () => {
    // Process A: a complete first scan of 1..1100, then a second scan that writes a batch (1,000) and hangs.
    const a = await startBackend(DATABASE, { ...SOURCE_TIMEOUT, KEYRING_FAULT_COUNT: '1100', KEYRING_FAULT_HANG_AFTER: '1051', KEYRING_FAULT_HANG_ON_RUN: '2' }, started);
    expect(await scan(a)).toMatchObject({ status: 'succeeded', added: 1100, retired: 0 });

    const second = await a.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
    expect(second.status).toBe(202);
    const orphanId = second.body.scanId as string;
    await nextLine(a, l => l.includes('"hanging"'), 30_000);
    const orphan = await knex()('scan_runs').where({ id: orphanId }).first();
    expect(orphan).toMatchObject({ status: 'running' });
    expect(orphan.lease_token).toBeTruthy();
    await killed(a);
    const killedAt = Date.now();

    // Process B on the same database: the sweep fails the dead run once its heartbeat is stale.
    const b = await startBackend(DATABASE, { ...SOURCE_TIMEOUT, KEYRING_FAULT_COUNT: '1150' }, started);
    const run = await waitForRun(b, orphanId, STALE_AFTER_MS + SWEEP_PERIOD_MS + 10_000);
    const failedAfterMs = Date.now() - killedAt;
    expect(run).toMatchObject({ status: 'failed', retired: 0 });
    expect(run.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(/no heartbeat/i);
    expect(failedAfterMs).toBeLessThan(STALE_AFTER_MS + SWEEP_PERIOD_MS + 10_000);
    process.stdout.write(`backendKilled: orphaned run failed ${failedAfterMs} ms after SIGKILL\n`);
    expect(await count(knex()('identities').where({ state: 'active' }))).toBe(1100);
    expect(await count(knex()('audit_events').where({ action: 'gone' }))).toBe(0);
    expect(await count(knex()('scan_runs').where({ status: 'running' }))).toBe(0);

    // Backstage's scheduler still holds the dead process's claim on the source's task (until the source timeout and
    // a janitor run), so its triggerTask conflicts; with no run of the source holding a live lease, the scan runs at
    // once on B under Keyring's lease instead of a 409.
    const task = await knex()('backstage_backend_tasks__tasks').where('id', 'like', '%machine-identity-scan:alpha').first();
    expect(task?.current_run_ticket).toBeTruthy();
    const accepted = await b.http.post(`${API}/sources/alpha/scan`).set('Authorization', AUTH);
    expect(accepted.status).toBe(202);
    expect(accepted.body.alreadyRunning).toBe(false);
    const acceptedAfterMs = Date.now() - killedAt;
    expect(acceptedAfterMs).toBeLessThan(STALE_AFTER_MS + SWEEP_PERIOD_MS + 15_000);
    process.stdout.write(`backendKilled: next scan accepted ${acceptedAfterMs} ms after SIGKILL (scheduler claim still held)\n`);

    // The next scan on B completes: the 1,100 known once each, 50 new.
    expect(await waitForRun(b, accepted.body.scanId, 90_000)).toMatchObject({ status: 'succeeded', seen: 1150, retired: 0 });
    const later = await knex()('scan_runs').whereNot({ id: orphanId }).where('started_at', '>', orphan.started_at);
    process.stdout.write(`backendKilled: runs after the kill: ${later.map(r => `${r.trigger} ${r.status} added ${r.added}`).join('; ')}\n`);
    expect(later.map(r => [r.id, r.trigger, r.status])).toEqual([[accepted.body.scanId, 'manual', 'succeeded']]);
    expect(later.reduce((sum, r) => sum + Number(r.added), 0)).toBe(50);
    expect(await count(knex()('audit_events').where({ action: 'gone' }))).toBe(0);
    expect(await count(knex()('identities'))).toBe(1150);
    expect(Number((await knex()('identities').countDistinct({ n: 'fingerprint_sha256' }).first())!.n)).toBe(1150);
    expect(await count(knex()('identities').where({ state: 'active' }))).toBe(1150);
    expect(await count(knex()('observations').whereNull('gone_at'))).toBe(1150);
  }, 300_000);
});
