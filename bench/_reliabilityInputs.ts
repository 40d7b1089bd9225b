/**
 * vitest setup file of the reliability bench (bench/reliability.ts): every
 * fast-check property of the run appends the number of inputs it tried to the
 * file named by `KEYRING_RELIABILITY_INPUTS`, then fails as fast-check's own
 * reporter would.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

const out = process.env.KEYRING_RELIABILITY_INPUTS;
fc.configureGlobal({
  reporter: details => {
    if (out) appendFileSync(out, `${details.numRuns}\n`);
    if (details.failed) throw new Error(fc.defaultReportMessage(details));
  },
});
