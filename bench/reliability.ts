/**
 * Reliability table (issue #11, "Prove it"): one table of what the parser
 * property tests, the corpora, the fault tests and the load bench found, in
 * one run. The tests run in a vitest child process (bench/_reliability.vitest
 * .config.mts, whose setup file counts every fast-check input); the load
 * figures come from bench/load.ts's `measureLoad` on PostgreSQL at
 * `KEYRING_RELIABILITY_IDENTITIES` (default 30,000) identities,
 * `KEYRING_BENCH_LOAD_CONNECTIONS` (50) clients for
 * `KEYRING_RELIABILITY_LOAD_SECONDS` (20) while a scan runs. It prints; it
 * does not pass or fail.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { onEachDatabase } from './_databases';
import { type LoadFigures, loadOptionsFromEnv, measureLoad } from './load';

const ROOT = resolve(__dirname, '..');
const CORPORA = resolve(ROOT, '../shared/corpora');
const PARSERS = [
  'plugins/machine-identity-node/src/certificates/reliability.test.ts',
  'plugins/machine-identity-backend-module-ssh/src/parsing/reliability.test.ts',
  'plugins/machine-identity-backend-module-tls/src/parsing/corpus.test.ts',
  'plugins/machine-identity-backend-module-ssh/src/parsing/corpus.test.ts',
];
/** TLS sweep: connect timeouts retire nothing, a refused endpoint retires what it served (real processes on loopback). */
const RETIREMENT = 'plugins/machine-identity-backend-module-tls/src/retirement.fault.test.ts';
/** PostgreSQL connections terminated mid-scan and mid-waiver-approval. */
const CONNECTION_LOST = 'plugins/machine-identity-backend/src/faults/databaseConnectionLost.fault.test.ts';

interface TestResult {
  file: string;
  title: string;
  status: string;
}

async function runTests(): Promise<{ tests: TestResult[]; inputs: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'keyring-reliability-'));
  const started = performance.now();
  try {
    const inputsFile = join(dir, 'inputs');
    const outputFile = join(dir, 'results.json');
    await promisify(execFile)(
      process.execPath,
      [
        resolve(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'bench/_reliability.vitest.config.mts',
        '--reporter=json',
        `--outputFile=${outputFile}`,
        ...PARSERS,
        RETIREMENT,
        CONNECTION_LOST,
      ],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          KEYRING_RELIABILITY_INPUTS: inputsFile,
          BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:
            process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ?? 'postgresql://postgres@127.0.0.1:5432',
        },
      },
    ).catch(error => error); // failed tests exit non-zero: the JSON says which
    const results = JSON.parse(readFileSync(outputFile, 'utf8')) as {
      testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
    };
    const tests = results.testResults.flatMap(f =>
      f.assertionResults.map(a => ({ file: f.name.slice(ROOT.length + 1), title: a.fullName, status: a.status })),
    );
    let inputs = 0;
    try {
      inputs = readFileSync(inputsFile, 'utf8').split('\n').filter(Boolean).reduce((sum, n) => sum + Number(n), 0);
    } catch {
      // no property ran
    }
    return { tests, inputs, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Files the corpus tests read: every file under 2 MiB of ../shared/corpora (their `find -size -2M`). */
function corpusFiles(dir = CORPORA): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) n += corpusFiles(path);
    else if (entry.isFile() && statSync(path).size < 2 * 1024 * 1024) n++;
  }
  return n;
}

export async function run(): Promise<void> {
  const tests = await runTests();
  const of = (files: string[], match?: RegExp) => tests.tests.filter(t => files.includes(t.file) && (!match || match.test(t.title)));
  const failed = (list: TestResult[]) => list.filter(t => t.status !== 'passed');
  const cell = (list: TestResult[]) =>
    list.length === 0 ? 'not run' : failed(list).length === 0 ? '0' : `${failed(list).length} FAILED: ${failed(list).map(t => t.title).join('; ')}`;
  const parsers = of(PARSERS);
  const retirement = [...of([RETIREMENT]), ...of([CONNECTION_LOST], /scan whose batch write/)];
  const decisions = of([CONNECTION_LOST], /waiver approval/);

  const options = loadOptionsFromEnv({ identities: Number(process.env.KEYRING_RELIABILITY_IDENTITIES ?? 30_000), idle: false });
  options.seconds = Number(process.env.KEYRING_RELIABILITY_LOAD_SECONDS ?? 20);
  let load: LoadFigures | undefined;
  await onEachDatabase(async (name, knex) => {
    if (name === 'PostgreSQL') load = await measureLoad(name, knex, options);
  });

  const rows: Array<[string, string, string]> = [
    ['inputs tried by the parser properties (fast-check)', tests.inputs.toLocaleString('en-US'), `${parsers.length} tests: X.509 DER/PEM/PKCS#7/PKCS#12, SSH lines, options, blobs`],
    ['corpus files read', corpusFiles().toLocaleString('en-US'), 'every file < 2 MiB of ../shared/corpora, by the corpus tests'],
    ['crashes (parser tests failed)', cell(parsers), 'an error other than InputError, or a parse over its time bound, fails a test'],
    ['scans past their timeout (fault scans that did not end)', cell(retirement), `${RETIREMENT.split('/').pop()}, connection-lost scan`],
    ['identities wrongly retired', cell(retirement), 'timeout sweep keeps both, refused endpoint retires its one; lost connection keeps 500'],
    ['decisions lost', cell(decisions), 'waiver approval whose transaction loses its connection; the retry decides once'],
    [
      'load errors',
      load ? String(load.scanning.errors + load.scanningPaced.errors) : 'not run',
      load ? `${(load.scanning.requests + load.scanningPaced.requests).toLocaleString('en-US')} requests, PostgreSQL` : 'PostgreSQL unavailable',
    ],
    [
      'p99 under load, ms (goal < 50)',
      load ? String(load.scanningPaced.p99) : 'not run',
      load
        ? `${options.identities.toLocaleString('en-US')} identities, ${options.connections} clients × ${options.seconds} s at ${options.rate} req/s, scan running; ` +
          `peer p99 ${load.peerPaced.p99} ms; closed loop ${Math.round(load.scanning.rps)} req/s, p99 ${load.scanning.p99} ms`
        : '',
    ],
  ];
  console.log(`Reliability (tests ${tests.seconds.toFixed(0)} s; load average ${loadavg()[0].toFixed(2)} on 2 cores)`);
  console.log(`  ${'figure'.padEnd(56)} ${'value'.padStart(9)}  from`);
  for (const [figure, value, from] of rows) console.log(`  ${figure.padEnd(56)} ${value.padStart(9)}  ${from}`);
}
