import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';
import { DETAIL_HISTORY_LIMIT, DETAIL_OBSERVATIONS_LIMIT } from './identityDetail';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = '2026-12-04T00:00:00.000Z';

describe('IdentityStore.getDetail', () => {
  it.each(databases.eachSupportedId())(
    'reads an identity with its observations, open violations and history in one statement, as the separate reads do (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
      resolver.setIndex(ComponentIndex.empty());
      // identity 1 is seen at two places by two sources (written in the opposite of their order); identity 2 at one
      const seen = [
        discovery(1, { location: 'zeta:443' }),
        discovery(1, { location: 'alpha:443' }),
        discovery(2, { location: 'beta:22' }),
      ];
      await writeDiscoveries(stores, { scanId: 's1', sourceId: 'west', discoveries: seen.slice(0, 1), now: NOW, resolveOwnership: resolver.resolve });
      await writeDiscoveries(stores, { scanId: 's2', sourceId: 'east', discoveries: seen.slice(1), now: NOW, resolveOwnership: resolver.resolve });
      const ids = Object.fromEntries(
        ((await knex('identities').select('id', 'display_name')) as { id: string; display_name: string }[]).map(r => [r.display_name, r.id]),
      );
      const [one, two] = [ids['identity-1.example.test'], ids['identity-2.example.test']];
      await knex('observations').where({ identity_id: one, location: 'zeta:443' }).update({ gone_at: NOW, details: JSON.stringify({ port: 443, note: 'a "quoted" value' }) });
      await knex('violations').insert([
        { identity_id: one, rule_id: 'tls.weak-key', severity: 'warning', message: 'weak', remediation: 'rotate', first_detected: NOW, resolved_at: null },
        { identity_id: one, rule_id: 'tls.expiry', severity: 'error', message: 'expired', remediation: 'renew', first_detected: NOW, resolved_at: null },
        { identity_id: one, rule_id: 'tls.self-signed', severity: 'error', message: 'old', remediation: 'x', first_detected: NOW, resolved_at: NOW },
        { identity_id: two, rule_id: 'ssh.shared-key', severity: 'error', message: 'shared', remediation: 'split', first_detected: NOW, resolved_at: null },
      ]);
      // more history than a detail shows: it shows the newest, newest first
      const events = Array.from({ length: DETAIL_HISTORY_LIMIT + 5 }, (_, i) => ({
        identity_id: one,
        at: new Date(Date.parse(NOW) + i * 1000).toISOString(),
        action: 'reviewed',
        actor: i % 2 ? null : 'user:default/ana',
        message: `event ${i}`,
      }));
      for (let i = 0; i < events.length; i += 50) await knex('audit_events').insert(events.slice(i, i + 50));

      const detail = (await stores.identities.getDetail(one))!;
      expect(detail.identity).toEqual(await stores.identities.get(one));
      expect(detail.observations.map(o => [o.sourceId, o.location, o.details?.goneAt])).toEqual([
        ['east', 'alpha:443', undefined],
        ['west', 'zeta:443', NOW],
      ]);
      expect(detail.observations[1].details).toMatchObject({ port: 443, note: 'a "quoted" value' });
      expect(detail.violations.map(v => [v.ruleId, v.severity, v.message, v.remediation])).toEqual([
        ['tls.expiry', 'error', 'expired', 'renew'],
        ['tls.weak-key', 'warning', 'weak', 'rotate'],
      ]);
      expect(detail.violations.map(v => [v.identityId, v.firstDetected])).toEqual([[one, NOW], [one, NOW]]);
      expect(detail.history).toHaveLength(DETAIL_HISTORY_LIMIT);
      expect(detail.history[0]).toEqual({ at: events[events.length - 1].at, action: 'reviewed', actor: 'user:default/ana', message: `event ${events.length - 1}` });
      expect(detail.history[1].actor).toBeUndefined();
      // the newest events, newest first: the identity's first ("discovered") is past the limit
      expect(detail.history).toEqual(
        events
          .slice(-DETAIL_HISTORY_LIMIT)
          .reverse()
          .map(e => ({ at: e.at, action: e.action, actor: e.actor ?? undefined, message: e.message })),
      );

      // the other identity's rows stay its own; one without any history has none
      const other = (await stores.identities.getDetail(two))!;
      expect(other.observations.map(o => o.location)).toEqual(['beta:22']);
      expect(other.violations.map(v => v.ruleId)).toEqual(['ssh.shared-key']);
      expect(other.history.map(h => h.action)).toEqual(['discovered']);
      expect(await stores.identities.getDetail('no-such-identity')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())('shows at most the detail limit of observations of an identity, in source and location order (%p)', async databaseId => {
    const knex = await databases.init(databaseId);
    const stores = await DatabaseInventoryStores.fromKnex(knex);
    const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
    resolver.setIndex(ComponentIndex.empty());
    await writeDiscoveries(stores, { scanId: 's1', sourceId: 'files', discoveries: [discovery(7)], now: NOW, resolveOwnership: resolver.resolve });
    const [{ id }] = await knex('identities').select('id');
    const rows = Array.from({ length: DETAIL_OBSERVATIONS_LIMIT + 10 }, (_, i) => ({
      identity_id: id,
      source_id: 'files',
      location: `/etc/ssl/${String(DETAIL_OBSERVATIONS_LIMIT + 10 - i).padStart(5, '0')}.pem`,
      first_seen: NOW,
      last_seen: NOW,
      last_scan_id: 's1',
    }));
    for (let i = 0; i < rows.length; i += 100) await knex('observations').insert(rows.slice(i, i + 100));
    const { observations } = (await stores.identities.getDetail(id))!;
    expect(observations).toHaveLength(DETAIL_OBSERVATIONS_LIMIT);
    const locations = observations.map(o => o.location);
    expect(locations).toEqual([...locations].sort());
    expect(locations[0]).toBe('/etc/ssl/00001.pem');
  });
});
