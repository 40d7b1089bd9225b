import type { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import request from 'supertest';
import { machineIdentityPlugin } from '../plugin';
import { testScannerModule } from './testScannerModule';
import { typeRuleModules } from './typeRuleModules';

/** The plugin's REST API base path in test backends. */
export const API = '/api/machine-identity';
/** A signed-in user's Authorization header. */
export const AUTH = mockCredentials.user.header();

/** A catalog Component with annotations. */
export function component(name: string, owner: string, annotations: Record<string, string>, lifecycle = 'production'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner, lifecycle },
  };
}

/**
 * The real plugin with the test scanner on `knex`: sources `alpha`, `beta`
 * (type `test`), `ghost` (no scanner) and `slow` (300 ms timeout), plus
 * helpers to scan through the REST API and page through identities. The real
 * TLS and SSH modules provide the `tls.*` and `ssh.*` rules unless
 * `typeModules` is `false`.
 */
export async function startTestPlugin(
  knex: Knex,
  entities: Entity[] = [],
  extraConfig: Record<string, unknown> = {},
  extraFeatures: BackendFeature[] = [],
  options: { typeModules?: boolean; extraSources?: JsonObject[] } = {},
) {
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      ...(options.typeModules === false ? [] : typeRuleModules),
      ...extraFeatures,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            ...extraConfig,
            sources: [
              { id: 'alpha', type: 'test' },
              { id: 'beta', type: 'test' },
              { id: 'ghost', type: 'no-such-type' },
              {
                id: 'slow',
                type: 'test',
                schedule: { frequency: { hours: 6 }, timeout: { milliseconds: 300 }, initialDelay: { hours: 1 } },
              },
              ...(options.extraSources ?? []),
            ],
          },
        },
      }),
    ],
  });
  const http = request(backend.server);
  const scan = async (sourceId: string) => {
    const res = await http.post(`${API}/sources/${sourceId}/scan`).set('Authorization', AUTH);
    expect(res.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const run = await http.get(`${API}/scans/${res.body.scanId}`).set('Authorization', AUTH);
      expect(run.status).toBe(200);
      if (run.body.status !== 'running') return run.body;
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error('scan did not finish');
  };
  const get = (path: string) => http.get(`${API}${path}`).set('Authorization', AUTH);
  const all = async (query = '') => {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const res = await get(`/identities?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  return { backend, http, scan, get, all };
}

/** `a..b` inclusive. */
export const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
