#!/usr/bin/env node
// `npm start`: the Keyring portal with its demo estate, on SQLite.
//   demo estate (TLS listeners on 127.0.10.x, certificate files, SSH fleet)
//   backend on http://localhost:7007, app on http://localhost:3000
// The app is packages/app-next, on Backstage's new frontend system, with a
// sign-in page that picks one of the demo users (keyring.demo.users).
// `npm run start:legacy` (`--legacy`): the same with the legacy app
// (packages/app, @backstage/app-defaults) instead.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import concurrently from 'concurrently';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(root, process.env.KEYRING_DATA_DIR ?? '.keyring-data');
mkdirSync(path.join(dataDir, 'db'), { recursive: true });
const env = { KEYRING_DATA_DIR: dataDir };
const appWorkspace = process.argv.includes('--legacy') ? 'app' : 'app-next';

// Create the demo estate's certificates and SSH fleet before the backend's first scan.
const prepared = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['src/cli.ts', '--prepare-only'], {
  cwd: path.join(root, 'packages/demo-estate'),
  env: { ...process.env, ...env },
  stdio: 'inherit',
});
if (prepared.status !== 0) process.exit(prepared.status ?? 1);

const { result } = concurrently(
  [
    { name: 'estate', command: 'npm run start --workspace @keyring/demo-estate', env },
    { name: 'backend', command: 'npm run start --workspace backend', env },
    { name: appWorkspace, command: `npm run start --workspace ${appWorkspace}`, env },
  ],
  { cwd: root, killOthers: ['failure', 'success'], prefixColors: ['magenta', 'blue', 'green'] },
);
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
