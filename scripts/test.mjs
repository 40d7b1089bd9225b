#!/usr/bin/env node
// `npm test`: every test — unit and integration on SQLite and PostgreSQL
// (vitest projects `node` and `jsdom`), then the end-to-end tests against a
// real portal in headless Chromium.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ?? 'postgresql://postgres@127.0.0.1:5432',
};

const pg = spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432']);
if (pg.status !== 0) {
  console.error('PostgreSQL is not answering on 127.0.0.1:5432; the tests need it (`.ci/run` starts it).');
  process.exit(1);
}

const vitest = path.join(root, 'node_modules', '.bin', 'vitest');
const steps = [
  ['unit and integration tests', [vitest, 'run', ...process.argv.slice(2)]],
  ['end-to-end tests', [vitest, 'run', '--config', 'e2e/vitest.config.mts']],
];
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✖ ${name} failed`);
    process.exit(result.status ?? 1);
  }
}
console.log('\n✔ all tests passed');
