/**
 * The backend a fixture process runs (faults/__fixtures__/scanningBackend.ts,
 * scanning/__fixtures__/shardedBackend.ts): the real plugin, the real
 * (database-coordinated) scheduler and the test scanner on a PostgreSQL
 * database, with the fixture's sources and any further features (scanner
 * modules). Prints `{"port":N}` once up; a failure to start is printed and
 * exits the process.
 */
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import knexFactory from 'knex';
import { machineIdentityPlugin } from '../plugin';
import { testScannerModule } from './testScannerModule';

export interface FixtureBackendOptions {
  /** The PostgreSQL database's URL. */
  database: string;
  /** Required under NODE_ENV=production; the test hands every process the same throw-away key. */
  tokenHashKey: string | undefined;
  /** `machineIdentity.sources`. */
  sources: JsonObject[];
  /** Further features, e.g. scanner modules. */
  features?: BackendFeature[];
  /** The knex pool's size (default 5). */
  poolMax?: number;
}

export function startFixtureBackend(options: FixtureBackendOptions): void {
  start(options).catch(error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}

async function start(options: FixtureBackendOptions) {
  const knex = knexFactory({ client: 'pg', connection: options.database, pool: { min: 0, max: options.poolMax ?? 5 } });
  const backend = await startTestBackend({
    features: [
      machineIdentityPlugin,
      testScannerModule,
      ...(options.features ?? []),
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            fallbackOwner: 'group:default/security',
            ...(options.tokenHashKey ? { tokenHashKey: options.tokenHashKey } : {}),
            retirement: { maxShare: 1 },
            sources: options.sources,
          },
        },
      }),
    ],
  });
  const address = backend.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : undefined })}\n`);
}
