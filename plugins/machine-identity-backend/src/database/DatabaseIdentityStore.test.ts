import { TestDatabases } from '@backstage/backend-test-utils';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { discovery } from '../__testUtils__/testScannerModule';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { retireUnseen } from '../inventory/retireUnseen';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { reresolveOwnership } from '../ownership/reresolveOwnership';
import { applyEvaluations } from '../policy/applyEvaluations';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
/** Retirement with positive evidence for every place and no share guard. */
const everywhere = { isCovered: () => true, maxShare: 1 };

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

/** The summary counters, and the same counts recomputed from every identity row. */
async function countersAndRecount(knex: Knex) {
  const normalize = (rows: any[]) =>
    rows
      .map(r => `${r.type}/${r.state}/${r.management}/${Number(r.owned)}/${Number(r.violating)}=${Number(r.n)}`)
      .sort();
  const counters = normalize(await knex('identity_counts').whereNot('n', 0));
  const raw = await knex.raw(`
    SELECT type, state, management,
           CASE WHEN ownership_rule <> 'fallback' AND owner IS NOT NULL THEN 1 ELSE 0 END AS owned,
           CASE WHEN violation_count > 0 THEN 1 ELSE 0 END AS violating,
           count(*) AS n
    FROM identities
    GROUP BY type, state, management,
             CASE WHEN ownership_rule <> 'fallback' AND owner IS NOT NULL THEN 1 ELSE 0 END,
             CASE WHEN violation_count > 0 THEN 1 ELSE 0 END`);
  const recount = normalize(Array.isArray(raw) ? raw : raw.rows);
  return { counters, recount };
}

/** The per-owner counters, and the same counts recomputed from every identity row. */
async function ownerCountersAndRecount(knex: Knex) {
  const normalize = (rows: any[]) => rows.map(r => `${r.owner}/${r.type}/${r.state}=${Number(r.n)}`).sort();
  return {
    counters: normalize(await knex('identity_owner_counts').whereNot('n', 0)),
    recount: normalize(
      await knex('identities').whereNotNull('owner').select('owner', 'type', 'state').count({ n: '*' }).groupBy('owner', 'type', 'state'),
    ),
  };
}

async function expectCountersExact(knex: Knex) {
  const { counters, recount } = await countersAndRecount(knex);
  expect(counters).toEqual(recount);
  const owners = await ownerCountersAndRecount(knex);
  expect(owners.counters).toEqual(owners.recount);
  return counters;
}

describe('DatabaseIdentityStore', () => {
  it.each(databases.eachSupportedId())(
    'keeps observation counts exact through new, repeated and moved sightings, second sources, retirement and revival (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseInventoryStores.fromKnex(knex);
      const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
      resolver.setIndex(ComponentIndex.empty());
      let tick = Date.parse('2026-11-25T10:00:00.000Z');
      const upsert = (scanId: string, sourceId: string, discoveries: MachineIdentityDiscovery[]) =>
        writeDiscoveries(store, {
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
      const { retired } = await retireUnseen(store, { scanId: 's3', sourceId: 'alpha', now: new Date((tick += 1000)).toISOString(), ...everywhere });
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

  it.each(databases.eachSupportedId())(
    'keeps the summary counters equal to a full recount through scans, retirements, ownership and violation changes (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseInventoryStores.fromKnex(knex);
      const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
      const payments = ComponentIndex.fromEntities([
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'payments', annotations: { 'keyring.io/hostnames': '*.payments.example.test' } },
          spec: { owner: 'group:default/payments' },
        },
      ]);
      resolver.setIndex(ComponentIndex.empty());
      let tick = Date.parse('2026-11-25T10:00:00.000Z');
      const now = () => new Date((tick += 1000)).toISOString();
      const soon = new Date(tick + 5 * 86_400_000).toISOString();
      const later = new Date(tick + 60 * 86_400_000).toISOString();
      const item = (n: number, management?: 'automated' | 'manual') =>
        discovery(n, {
          links: { hostnames: [n % 2 ? `svc-${n}.payments.example.test` : `svc-${n}.other.example.test`] },
          attributes: { keyAlgorithm: 'ed25519', notAfter: n % 3 ? soon : later },
          ...(management ? { management } : {}),
        });
      const upsert = (scanId: string, discoveries: MachineIdentityDiscovery[]) =>
        writeDiscoveries(store, { scanId, sourceId: 'alpha', discoveries, now: now(), resolveOwnership: resolver.resolve });

      await upsert('s1', Array.from({ length: 40 }, (_, i) => item(i + 1)));
      expect(await expectCountersExact(knex)).not.toEqual([]);
      // a re-scan that changes management of some and drops others, then retires
      await upsert('s2', Array.from({ length: 30 }, (_, i) => item(i + 1, i % 4 === 0 ? 'automated' : undefined)));
      await expectCountersExact(knex);
      expect((await retireUnseen(store, { scanId: 's2', sourceId: 'alpha', now: now(), ...everywhere })).retired).toHaveLength(10);
      await expectCountersExact(knex);
      // ownership changes with the catalog, both ways
      resolver.setIndex(payments);
      expect((await reresolveOwnership(store, resolver.resolve, now())).length).toBe(20);
      await expectCountersExact(knex);
      // violations open on some identities, then resolve on a few of them
      const ids = await store.identities.listIds({ limit: 100 });
      const violation = { ruleId: 'tls.expiry', severity: 'warning' as const, message: 'm', remediation: 'r' };
      await applyEvaluations(store, new Map(ids.map((id, i) => [id, i % 3 ? [violation] : []])), now());
      await expectCountersExact(knex);
      await applyEvaluations(store, new Map(ids.slice(0, 10).map(id => [id, []])), now());
      await expectCountersExact(knex);
      // identities come back; the catalog forgets payments
      await upsert('s3', Array.from({ length: 40 }, (_, i) => item(i + 1)));
      resolver.setIndex(ComponentIndex.empty());
      await reresolveOwnership(store, resolver.resolve, now());
      await expectCountersExact(knex);

      // the summary answers from the counters exactly what a full scan of the rows gives
      const summary = await store.identities.getSummary(new Date(tick).toISOString());
      const all = await knex('identities').select('*');
      const live = all.filter((r: any) => r.state === 'active' || r.state === 'pending-revocation');
      expect(summary.total).toBe(40);
      expect(summary.byState).toEqual({ active: 40 });
      expect(summary.owned).toBe(live.filter((r: any) => r.ownership_rule !== 'fallback' && r.owner).length);
      expect(summary.orphaned).toBe(40);
      expect(summary.violating).toBe(live.filter((r: any) => Number(r.violation_count) > 0).length);
      expect(summary.violating).toBeGreaterThan(0);
      expect(summary.byManagement).toEqual({
        automated: live.filter((r: any) => r.management === 'automated').length,
        manual: live.filter((r: any) => r.management === 'manual').length,
      });
      expect(summary.expiring).toEqual({
        expired: 0,
        within7Days: live.filter((r: any) => r.not_after === soon).length,
        within30Days: live.filter((r: any) => r.not_after === soon).length,
        within90Days: 40,
      });
    },
  );
});
