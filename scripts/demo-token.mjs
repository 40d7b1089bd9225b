#!/usr/bin/env node
// Prints a Backstage user token for a demo user of the running demo portal:
//   node scripts/demo-token.mjs user:default/bob [--backend http://localhost:7007]
// The token is issued by the portal's auth backend (demo sign-in provider,
// packages/backend/src/auth/authModuleDemoProvider.ts), so it carries the
// user's catalog Groups like a browser sign-in. Refused unless the portal
// runs in demo mode; nothing is minted locally.
const args = process.argv.slice(2);
const backendIndex = args.indexOf('--backend');
const backend = (backendIndex >= 0 ? args[backendIndex + 1] : process.env.KEYRING_BACKEND_URL) ?? 'http://localhost:7007';
const user = args.find((a, i) => !a.startsWith('--') && i !== backendIndex + 1);

if (!user || !/^(user:)?([a-z0-9-_.]+\/)?[a-z0-9-_.]+$/i.test(user)) {
  console.error('usage: node scripts/demo-token.mjs user:default/<name> [--backend http://localhost:7007]');
  process.exit(2);
}

let res;
try {
  res = await fetch(`${backend.replace(/\/$/, '')}/api/auth/demo/refresh`, {
    headers: { 'x-keyring-demo-user': user, 'x-requested-with': 'XMLHttpRequest' },
  });
} catch (error) {
  console.error(`No portal answers at ${backend} (${error.cause?.code ?? error.message}); start it with npm start`);
  process.exit(1);
}
const body = await res.json().catch(() => ({}));
const message = body.error?.message ?? `HTTP ${res.status}`;
// 403: the demo provider refuses outside demo mode; 404 "Unknown auth provider": it is not installed.
if (res.status === 403 || (res.status === 404 && /auth provider/i.test(message))) {
  console.error(`Refused: the portal at ${backend} is not in demo mode (${message})`);
  process.exit(1);
}
if (!res.ok) {
  console.error(`Refused: ${message}${res.status === 404 ? ' (is the user in the catalog yet?)' : ''}`);
  process.exit(1);
}
process.stdout.write(`${body.backstageIdentity.token}\n`);
