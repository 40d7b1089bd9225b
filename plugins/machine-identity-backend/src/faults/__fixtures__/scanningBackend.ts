/**
 * A separate backend process for the fault tests (see
 * __testUtils__/startFixtureBackend.ts) on the PostgreSQL database in
 * KEYRING_FAULT_DB. Source `alpha` yields KEYRING_FAULT_COUNT
 * discoveries covering 127.0.0.1; with KEYRING_FAULT_HANG_AFTER=n, run
 * KEYRING_FAULT_HANG_ON_RUN (default 1) of the process stops before discovery
 * n and never ends (the test kills the process). KEYRING_FAULT_FREQUENCY_SECONDS
 * schedules `alpha` that often (default: yearly, scans come when the test asks)
 * and KEYRING_FAULT_TIMEOUT_SECONDS sets its timeout (default 40). Each run
 * prints `{"run":n,"pid":p}` as it starts. Prints `{"port":N}` once up.
 *
 * Run with `node --import tsx scanningBackend.ts`.
 */
import { existsSync } from 'node:fs';
import { startFixtureBackend } from '../../__testUtils__/startFixtureBackend';
import { discovery, scanPlans } from '../../__testUtils__/testScannerModule';

const count = Number(process.env.KEYRING_FAULT_COUNT ?? '0');
const hangAfter = process.env.KEYRING_FAULT_HANG_AFTER ? Number(process.env.KEYRING_FAULT_HANG_AFTER) : undefined;
const hangOnRun = Number(process.env.KEYRING_FAULT_HANG_ON_RUN ?? '1');
/** With KEYRING_FAULT_HANG_FILE, any run hangs at KEYRING_FAULT_HANG_AFTER while that file exists (instead of one run). */
const hangFile = process.env.KEYRING_FAULT_HANG_FILE;
const frequencySeconds = process.env.KEYRING_FAULT_FREQUENCY_SECONDS ? Number(process.env.KEYRING_FAULT_FREQUENCY_SECONDS) : undefined;
const timeoutSeconds = Number(process.env.KEYRING_FAULT_TIMEOUT_SECONDS ?? '40');
let runs = 0;

scanPlans.set('alpha', async function* plan(context) {
  runs += 1;
  process.stdout.write(`${JSON.stringify({ run: runs, pid: process.pid })}\n`);
  context.reportCovered('127.0.0.1');
  for (let n = 1; n <= count; n++) {
    if (n === hangAfter && (hangFile ? existsSync(hangFile) : runs === hangOnRun)) {
      process.stdout.write(`${JSON.stringify({ hanging: n })}\n`);
      await new Promise(() => {});
    }
    yield discovery(n);
  }
});

startFixtureBackend({
  database: process.env.KEYRING_FAULT_DB!,
  tokenHashKey: process.env.KEYRING_FAULT_TOKEN_HASH_KEY,
  sources: [
    {
      id: 'alpha',
      type: 'test',
      // Yearly (a cron, not an initial delay: the worker sleeps through an initial delay, triggers included):
      // scans come when the test asks. The timeout is also how long the scheduler keeps the task locked by a
      // killed process (no new run of the source on any process before it expires): as long as the lease.
      schedule: {
        frequency: frequencySeconds ? { seconds: frequencySeconds } : { cron: '0 0 1 1 *' },
        // (Sources default to a 30 s initial delay.)
        ...(frequencySeconds ? { initialDelay: { seconds: 1 } } : {}),
        timeout: { seconds: timeoutSeconds },
      },
    },
  ],
});
