import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API, AUTH } from '../__testUtils__/startTestPlugin';
import { type BackendProcess, SERVER, count, freshDatabase, killed, nextLine, startBackend } from './backendProcess';

/**
 * Two live backend processes on one PostgreSQL database, source `alpha`
 * scheduled every few seconds: each scheduled scan runs once across both (no
 * two runs of the source at once, one scanner invocation per run), both
 * answer the API alike, and when the process running a scan is SIGKILLed
 * the other one completes the next scheduled run. Real separate Node
 * processes (see __fixtures__/scanningBackend.ts).
 */
const DATABASE = 'keyring_fault_two_backends';
const FREQUENCY_S = 3;
const IDENTITIES = 300;
/** Short, so Backstage's scheduler gives up the killed process's claim on the task soon (then its janitor, ≤ 1 min). */
const TIMEOUT_S = 10;
const TICKS_WINDOW_MS = 24_000;
const HANG_FILE = join(tmpdir(), `keyring-two-backends-hang-${process.pid}`);
const started: BackendProcess[] = [];

type RunRow = { id: string; source_id: string; trigger: string; status: string; started_at: string; finished_at: string | null; added: number; seen: number; retired: number };

describe.skipIf(!SERVER)('faults: two live backend processes on one PostgreSQL (real processes)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    db = await freshDatabase(DATABASE);
  });

  afterAll(async () => {
    rmSync(HANG_FILE, { force: true });
    await Promise.all(started.map(killed));
    await db?.drop();
  });

  it('runs each scheduled scan once across both, answers alike from both, and the survivor of a kill completes the next run', async () => {
    const env = {
      KEYRING_FAULT_COUNT: String(IDENTITIES),
      KEYRING_FAULT_FREQUENCY_SECONDS: String(FREQUENCY_S),
      KEYRING_FAULT_TIMEOUT_SECONDS: String(TIMEOUT_S),
      KEYRING_FAULT_HANG_AFTER: String(IDENTITIES - 20),
      KEYRING_FAULT_HANG_FILE: HANG_FILE,
    };
    // Migrations first on one process (two at once would race on the migration lock's first creation).
    const first = await startBackend(DATABASE, env, started);
    const second = await startBackend(DATABASE, env, started);
    const procs = [first, second];
    const runs = () => db.knex<RunRow>('scan_runs').where({ source_id: 'alpha' }).orderBy('started_at');
    const invocations = () => procs.flatMap(p => p.lines.filter(l => l.startsWith('{"run"')));

    // Scheduled ticks with both processes live.
    const windowStart = new Date().toISOString();
    await new Promise(r => setTimeout(r, TICKS_WINDOW_MS));
    const windowEnd = new Date().toISOString();
    const inWindow = (await runs()).filter(r => r.started_at >= windowStart && r.started_at < windowEnd && r.finished_at);
    const byProcess = procs.map(p => p.lines.filter(l => l.startsWith('{"run"')).length);
    process.stdout.write(
      `twoBackends: ${inWindow.length} scheduled runs in ${TICKS_WINDOW_MS / 1000}s at ${FREQUENCY_S}s frequency; scanner invocations per process ${byProcess.join(' + ')}\n`,
    );
    expect(inWindow.length).toBeGreaterThanOrEqual(Math.floor(TICKS_WINDOW_MS / 1000 / FREQUENCY_S / 2));
    // (a tick's start lags its slot by up to a work check, so one late slot from before the window may fall in it)
    expect(inWindow.length).toBeLessThanOrEqual(Math.floor(TICKS_WINDOW_MS / 1000 / FREQUENCY_S) + 2);
    for (const r of inWindow) {
      expect(r).toMatchObject({ trigger: 'schedule', status: 'succeeded', seen: IDENTITIES, retired: 0 });
    }
    // No two runs of the source overlap. (Consecutive starts may be closer than the period: a tick that started
    // late sets the next one to max(its slot + period, now), so the scheduler catches up.)
    for (let i = 1; i < inWindow.length; i++) {
      expect(inWindow[i].started_at >= inWindow[i - 1].finished_at!).toBe(true);
    }
    // One scanner invocation per run, across both processes (a run's row is written just before its scanner starts).
    const rowsBefore = (await runs()).length;
    const invoked = invocations().length;
    const rowsAfter = (await runs()).length;
    expect(invoked).toBeGreaterThanOrEqual(rowsBefore - 1);
    expect(invoked).toBeLessThanOrEqual(rowsAfter);
    expect(await count(db.knex('identities'))).toBe(IDENTITIES);

    // Both processes answer alike: the same totals, pages and identity details.
    const [listA, listB] = await Promise.all(
      procs.map(p => p.http.get(`${API}/identities`).query({ limit: IDENTITIES, sort: 'id' }).set('Authorization', AUTH)),
    );
    expect(listA.status).toBe(200);
    expect(listA.body.total).toBe(IDENTITIES);
    expect(listB.body.total).toBe(listA.body.total);
    expect(listB.body.items.map((i: { id: string }) => i.id)).toEqual(listA.body.items.map((i: { id: string }) => i.id));
    for (const { id } of listA.body.items.slice(0, 3) as { id: string }[]) {
      // A run ending between the two reads moves last-seen times: read again then (at most twice).
      let pair: { status: number; body: unknown }[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        pair = await Promise.all(procs.map(p => p.http.get(`${API}/identities/${encodeURIComponent(id)}`).set('Authorization', AUTH)));
        if (JSON.stringify(pair[0].body) === JSON.stringify(pair[1].body)) break;
      }
      expect(pair[0].status).toBe(200);
      expect(pair[1].body).toEqual(pair[0].body);
    }

    // The next run hangs mid-scan on whichever process claims it; that process is killed.
    writeFileSync(HANG_FILE, '');
    const hangBy = Date.now() + 30_000;
    let victim: BackendProcess | undefined;
    while (!victim && Date.now() < hangBy) {
      victim = procs.find(p => p.lines.some(l => l.includes('"hanging"')));
      await new Promise(r => setTimeout(r, 100));
    }
    expect(victim).toBeDefined();
    rmSync(HANG_FILE);
    const survivor = procs.find(p => p !== victim)!;
    const orphan = (await runs()).find(r => r.status === 'running')!;
    expect(orphan).toBeDefined();
    await killed(victim!);
    const killedAt = Date.now();

    // The survivor completes the next scheduled run once the scheduler lets go of the dead process's claim
    // (task timeout, then a janitor run) and the dead run has no live lease.
    const survivorRuns = survivor.lines.filter(l => l.startsWith('{"run"')).length;
    await nextLine(survivor, l => l.startsWith('{"run"') && JSON.parse(l).run > survivorRuns, 100_000);
    let next: RunRow | undefined;
    const completeBy = Date.now() + 20_000;
    while (!next && Date.now() < completeBy) {
      next = (await runs()).find(r => r.started_at > orphan.started_at && r.status !== 'running');
      await new Promise(r => setTimeout(r, 250));
    }
    process.stdout.write(`twoBackends: next run completed on the survivor ${Date.now() - killedAt} ms after SIGKILL\n`);
    expect(next).toMatchObject({ trigger: 'schedule', status: 'succeeded', seen: IDENTITIES, added: 0, retired: 0 });
    expect(await db.knex('scan_runs').where({ id: orphan.id }).first()).toMatchObject({ status: 'failed', retired: 0 });
    expect(await count(db.knex('audit_events').where({ action: 'gone' }))).toBe(0);
    expect(await count(db.knex('identities').where({ state: 'active' }))).toBe(IDENTITIES);
    expect(Number((await db.knex('identities').countDistinct({ n: 'fingerprint_sha256' }).first())!.n)).toBe(IDENTITIES);
  }, 240_000);
});
