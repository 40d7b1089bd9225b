import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

/** The static token the e2e config gives scripts (backend.auth.externalAccess). */
export const E2E_TOKEN = 'keyring-e2e-token';

/** Calls the e2e portal's API as a script would. */
export async function api<T = any>(route: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${inject('backendUrl')}/api/machine-identity${route}`, {
    ...init,
    headers: { Authorization: `Bearer ${E2E_TOKEN}`, 'Content-Type': 'application/json', ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits until every configured source has finished at least one scan. */
export async function waitForScans(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sources = await api<Array<{ id: string; lastRun?: { status: string } }>>('/sources');
    const list = Array.isArray(sources) ? sources : (sources as any).items;
    if (list.length > 0 && list.every((s: any) => s.lastRun && s.lastRun.status !== 'running')) return list;
    if (Date.now() > deadline) throw new Error(`scans not finished: ${JSON.stringify(list)}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

/**
 * Waits until the scans' identities are linked to the demo Components:
 * ownership is re-resolved against the catalog shortly after the catalog
 * has ingested the demo organisation, which can be after the first scan.
 */
export async function waitForOwnership(
  links: Array<[entityRef: string, displayName: string]> = [
    ['component:default/payments-api', 'api.payments.example.test'],
    ['component:default/payments-api', 'deploy@payments-ci'],
  ],
  timeoutMs = 180_000,
) {
  await waitForScans(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let missing: string | undefined;
    for (const [entityRef, displayName] of links) {
      const page = await api(`/identities?entityRef=${encodeURIComponent(entityRef)}&limit=500`);
      if (!page.items.some((i: any) => i.displayName === displayName)) missing = `${displayName} → ${entityRef}`;
    }
    if (!missing) return;
    if (Date.now() > deadline) throw new Error(`${missing} not linked after ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

/** Signs in as the demo guest user through the auth backend, as the app does, and returns its token. */
export async function guestToken(): Promise<string> {
  const res = await fetch(`${inject('backendUrl')}/api/auth/guest/refresh?optional&env=development`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in: HTTP ${res.status} ${await res.text()}`);
  const body = await res.json();
  return body.backstageIdentity.token;
}

/** A demo user's token (e.g. 'user:default/erin'), printed by scripts/demo-token.mjs from the running portal. */
export function demoToken(user: string): string {
  const script = path.resolve(__dirname, '..', 'scripts', 'demo-token.mjs');
  return execFileSync('node', [script, user, '--backend', inject('backendUrl')], { encoding: 'utf8' }).trim();
}

/** Calls the portal's machine-identity API as a signed-in demo user. */
export async function asUser<T = any>(user: string, route: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${inject('backendUrl')}/api/machine-identity${route}`, {
    ...init,
    headers: { Authorization: `Bearer ${demoToken(user)}`, 'Content-Type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Calls the e2e portal's catalog API as a script would. */
export async function catalog(route: string) {
  const res = await fetch(`${inject('backendUrl')}/api/catalog${route}`, {
    headers: { Authorization: `Bearer ${E2E_TOKEN}` },
  });
  if (!res.ok) throw new Error(`GET /api/catalog${route}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Waits until the catalog holds a MachineIdentity titled `title`, with its
 * relations: the provider ingests the inventory after the scans, so the
 * entity can arrive after Keyring's own API already shows the identity.
 */
export async function machineIdentityEntity(title: string, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await catalog(`/entities/by-query?filter=kind=MachineIdentity,metadata.title=${encodeURIComponent(title)}`);
    const entity = body.items[0];
    if (entity?.relations?.some((r: any) => r.type === 'dependencyOf')) return entity;
    if (Date.now() > deadline) throw new Error(`MachineIdentity ${title} not in the catalog with relations`);
    await new Promise(r => setTimeout(r, 2000));
  }
}
