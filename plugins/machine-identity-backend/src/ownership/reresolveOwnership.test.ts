import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ComponentIndex } from './ComponentIndex';
import { OwnershipResolver } from './OwnershipResolver';
import { reresolveOwnership } from './reresolveOwnership';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = '2026-12-02T06:00:00.000Z';

describe('reresolveOwnership', () => {
  it.each(databases.eachSupportedId())(
    'with ids re-resolves only those identities; without, the whole inventory (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
      resolver.setIndex(ComponentIndex.empty());
      await writeDiscoveries(stores, {
        scanId: 's1',
        sourceId: 'alpha',
        discoveries: [1, 2, 3].map(n => discovery(n, { ownerHint: { owner: 'group:default/payments', via: 'test' } })),
        now: NOW,
        resolveOwnership: resolver.resolve,
      });
      const [a, b, c] = (await knex('identities').orderBy('id').select('id')).map(r => r.id as string);
      // review decisions for a and b (an accepted reassignment writes one); c has none
      for (const id of [a, b]) await stores.identities.setReviewDecision({ identityId: id, owner: 'group:default/identity' });
      const owners = async () =>
        Object.fromEntries((await knex('identities').select('id', 'owner', 'ownership_rule')).map(r => [r.id, `${r.owner} ${r.ownership_rule}`]));
      const seqOf = async (id: string) => Number((await knex('identities').where({ id }).first('change_seq')).change_seq);
      const bSeq = await seqOf(b);

      expect(await reresolveOwnership(stores, resolver.resolve, NOW, { ids: [a, 'no-such-id'] })).toEqual([a]);
      expect(await owners()).toEqual({
        [a]: 'group:default/identity review-decision',
        [b]: 'group:default/payments source-metadata',
        [c]: 'group:default/payments source-metadata',
      });
      expect(await seqOf(b)).toBe(bSeq);
      const events = await knex('audit_events').where({ action: 'owner-changed' }).select('identity_id');
      expect(events.map(e => e.identity_id)).toEqual([a]);

      expect(await reresolveOwnership(stores, resolver.resolve, NOW)).toEqual([b]);
      expect((await owners())[b]).toBe('group:default/identity review-decision');
      await knex.destroy();
    },
  );
});
