import { TestDatabases } from '@backstage/backend-test-utils';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { discovery } from '../__testUtils__/testScannerModule';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseInventoryStore } from './DatabaseInventoryStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Every identity's observation_count equals a count of its live observations. */
async function expectObservationCountsExact(knex: Knex) {
  const rows = await knex('identities as i')
    .select('i.id', 'i.observation_count')
    .select(
      knex.raw('(SELECT count(*) FROM observations o WHERE o.identity_id = i.id AND o.gone_at IS NULL) AS actual'),
    );
  const wrong = rows.filter((r: any) => Number(r.observation_count) !== Number(r.actual));
  expect(wrong).toEqual([]);
  return rows.length;
}

describe('DatabaseInventoryStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps observation counts exact through new, repeated and moved sightings, second sources, retirement and revival (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseInventoryStore.fromKnex(knex);
      const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
      resolver.setIndex(ComponentIndex.empty());
      let tick = Date.parse('2026-11-25T10:00:00.000Z');
      const upsert = (scanId: string, sourceId: string, discoveries: MachineIdentityDiscovery[]) =>
        store.upsertDiscoveries({
          scanId,
          sourceId,
          discoveries,
          now: new Date((tick += 1000)).toISOString(),
          resolveOwnership: resolver.resolve,
        });
      const at = (n: number, location: string) => discovery(n, { location });

      await upsert('s1', 'alpha', [at(1, 'a'), at(1, 'b'), at(2, 'a'), at(3, 'a')]);
      expect(await expectObservationCountsExact(knex)).toBe(3);
      // the same sightings again, one new location, a sighting repeated inside one batch
      await upsert('s2', 'alpha', [at(1, 'a'), at(1, 'b'), at(1, 'c'), at(2, 'a'), at(2, 'a'), at(3, 'a')]);
      await expectObservationCountsExact(knex);
      // a second source sees key 1 and key 2 too
      await upsert('b1', 'beta', [at(1, 'a'), at(2, 'z')]);
      await expectObservationCountsExact(knex);
      // alpha's next complete run no longer sees 1@b, 1@c and key 3
      await upsert('s3', 'alpha', [at(1, 'a'), at(2, 'a')]);
      const retired = await store.retireUnseen({ scanId: 's3', sourceId: 'alpha', now: new Date((tick += 1000)).toISOString() });
      expect(retired).toHaveLength(1);
      await expectObservationCountsExact(knex);
      // key 3 and 1@b come back
      await upsert('s4', 'alpha', [at(1, 'a'), at(1, 'b'), at(2, 'a'), at(3, 'a')]);
      await expectObservationCountsExact(knex);
      const counts = Object.fromEntries(
        (await knex('identities').select('display_name', 'observation_count', 'state')).map((r: any) => [
          r.display_name.split('.')[0],
          [Number(r.observation_count), r.state],
        ]),
      );
      expect(counts).toEqual({
        'identity-1': [3, 'active'],
        'identity-2': [2, 'active'],
        'identity-3': [1, 'active'],
      });
    },
  );
});
