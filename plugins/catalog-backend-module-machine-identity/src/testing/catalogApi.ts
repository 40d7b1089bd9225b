import type { Entity } from '@backstage/catalog-model';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import type { Server } from 'node:http';

/** Every MachineIdentity entity the catalog API returns, read as a user would. */
export async function listMachineIdentities(server: Server): Promise<Entity[]> {
  const items: Entity[] = [];
  let cursor: string | undefined;
  do {
    const res = await request(server)
      .get('/api/catalog/entities/by-query')
      .query(cursor ? { cursor, limit: 10_000 } : { filter: 'kind=MachineIdentity', limit: 10_000 })
      .set('authorization', mockCredentials.user.header());
    if (res.status !== 200) throw new Error(`catalog answered ${res.status}: ${res.text}`);
    items.push(...res.body.items);
    cursor = res.body.pageInfo?.nextCursor;
  } while (cursor);
  return items;
}

/** One entity by ref from the catalog API, or undefined. */
export async function getEntity(server: Server, kind: string, name: string): Promise<Entity | undefined> {
  const res = await request(server)
    .get(`/api/catalog/entities/by-name/${kind}/default/${name}`)
    .set('authorization', mockCredentials.user.header());
  return res.status === 200 ? res.body : undefined;
}

/** Polls until `check` returns a value (not undefined/false) or throws after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
