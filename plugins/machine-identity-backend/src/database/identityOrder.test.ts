import { type TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { discovery } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;
const NOW = '2026-12-02T00:00:00.000Z';
const COUNT = 2_000;

/** A fleet where every tier is crowded and many identities share an expiry (ties broken by id). */
function notAfterOf(n: number): string | undefined {
  switch (n % 5) {
    case 0:
      return new Date(Date.parse(NOW) - (1 + (n % 7)) * DAY).toISOString(); // expired
    case 1:
      return new Date(Date.parse(NOW) + (n % 29) * DAY + DAY / 2).toISOString(); // within 30 days
    case 2:
      return n % 10 === 2 ? '9999-12-31T23:59:59.000Z' : undefined; // far or none
    default:
      return new Date(Date.parse(NOW) + (40 + (n % 11)) * DAY).toISOString();
  }
}

/** Open violations by n: every 3rd an error, every 4th a warning, every 7th a resolved error. */
function violationsOf(n: number) {
  const out: { rule_id: string; severity: string; resolved_at: string | null }[] = [];
  if (n % 3 === 0) out.push({ rule_id: 'tls.expiry', severity: 'error', resolved_at: null });
  if (n % 4 === 0) out.push({ rule_id: 'tls.key-size', severity: 'warning', resolved_at: null });
  if (n % 7 === 0) out.push({ rule_id: 'tls.self-signed', severity: 'error', resolved_at: NOW });
  if (n % 11 === 0) out.push({ rule_id: 'any.info', severity: 'info', resolved_at: null });
  return out;
}

function expectedTier(notAfter: string | undefined, severities: string[]): number {
  if (notAfter && notAfter < NOW) return 0;
  if (severities.includes('error')) return 1;
  if (notAfter && notAfter <= new Date(Date.parse(NOW) + 30 * DAY).toISOString()) return 2;
  if (severities.includes('warning')) return 3;
  return 4;
}

async function seed(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const stores = await DatabaseInventoryStores.fromKnex(knex);
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  resolver.setIndex(ComponentIndex.empty());
  const items = Array.from({ length: COUNT }, (_, i) => {
    const n = i + 1;
    const notAfter = notAfterOf(n);
    return discovery(n, {
      type: 'tls-certificate',
      attributes: { keyAlgorithm: 'ed25519', ...(notAfter && { notAfter }) },
    });
  });
  await writeDiscoveries(stores, {
    scanId: 's1',
    sourceId: 'alpha',
    discoveries: items,
    now: NOW,
    resolveOwnership: resolver.resolve,
  });
  const ids = (await knex('identities').select('id', 'display_name')) as { id: string; display_name: string }[];
  const expected: { id: string; tier: number; expiry: string }[] = [];
  const rows = [];
  for (const { id, display_name } of ids) {
    const n = Number(/identity-(\d+)\./.exec(display_name)![1]);
    const violations = violationsOf(n);
    for (const v of violations) {
      rows.push({ identity_id: id, message: `${v.rule_id} broken`, remediation: 'fix it', first_detected: NOW, ...v });
    }
    const open = violations.filter(v => !v.resolved_at);
    await knex('identities').where({ id }).update({ violation_count: open.length });
    const notAfter = notAfterOf(n);
    expected.push({ id, tier: expectedTier(notAfter, open.map(v => v.severity)), expiry: notAfter ?? '9999-99-99' });
  }
  for (let i = 0; i < rows.length; i += 200) {
    await knex('violations').insert(rows.slice(i, i + 200));
  }
  expected.sort((a, b) => a.tier - b.tier || (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : 0) || (a.id < b.id ? -1 : 1));
  return { knex, stores, expected };
}

describe('identity list in urgency order', () => {
  it.each(databases.eachSupportedId())(
    'pages through 2,000 identities most urgent first, in exact order, none repeated or skipped, with the exact total on every page (%p)',
    async databaseId => {
      const { stores, expected } = await seed(databaseId);
      const seen: Identity[] = [];
      const totals = new Set<number | undefined>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        // the clock moves on between pages; the cursor keeps page 1's ranking
        const now = new Date(Date.parse(NOW) + pages * 3 * DAY).toISOString();
        const page = await stores.identities.list({}, { cursor, limit: 97, now, sort: 'urgency' });
        seen.push(...page.items);
        totals.add(page.total);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(Math.ceil(COUNT / 97));
      expect(totals).toEqual(new Set([COUNT]));
      expect(seen.map(i => i.id)).toEqual(expected.map(e => e.id));
      expect(new Set(seen.map(i => i.id)).size).toBe(COUNT);
      // tiers really are crowded, and the first row is an expired identity
      expect(new Set(expected.map(e => e.tier))).toEqual(new Set([0, 1, 2, 3, 4]));
      expect(Date.parse(seen[0].notAfter!)).toBeLessThan(Date.parse(NOW));
      // the rules a row breaks travel with it: open ones only, never the resolved one
      const n21 = seen.find(i => i.displayName === 'identity-21.example.test')!;
      expect(n21.openRules).toEqual([{ ruleId: 'tls.expiry', severity: 'error', message: 'tls.expiry broken' }]);
      // every list form reads them in the page's own statement: two open rules in rule order, the resolved one left out
      const n84 = [
        { ruleId: 'tls.expiry', severity: 'error', message: 'tls.expiry broken' },
        { ruleId: 'tls.key-size', severity: 'warning', message: 'tls.key-size broken' },
      ];
      expect(seen.find(i => i.displayName === 'identity-84.example.test')!.openRules).toEqual(n84);
      for (const sort of ['urgency', 'id'] as const) {
        const found = await stores.identities.list({ q: 'identity-84.' }, { limit: 5, now: NOW, sort });
        expect(found.items.map(i => [i.displayName, i.openRules])).toEqual([['identity-84.example.test', n84]]);
      }
      const none = seen.find(i => i.displayName === 'identity-1.example.test')!;
      expect(none.openRules).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'pages a Group and a Component (owner OR Component) in exact urgency order with exact totals (%p)',
    async databaseId => {
      const { knex, stores, expected } = await seed(databaseId);
      // every 3rd identity runs in component:default/api; every 6th of those is owned by another Group
      const ids = expected.map(e => e.id);
      const inApi = ids.filter((_, i) => i % 3 === 0);
      const otherOwner = inApi.filter((_, i) => i % 6 === 0);
      for (let i = 0; i < inApi.length; i += 200) {
        await knex('identities').whereIn('id', inApi.slice(i, i + 200)).update({ component: 'component:default/api' });
      }
      await knex('identities').whereIn('id', otherOwner).update({ owner: 'group:default/payments' });
      const walk = async (entityRef: string) => {
        const seen: string[] = [];
        const totals = new Set<number | undefined>();
        let cursor: string | undefined;
        do {
          const page = await stores.identities.list({ entityRef }, { cursor, limit: 50, now: NOW, sort: 'urgency' });
          seen.push(...page.items.map(i => i.id));
          totals.add(page.total);
          cursor = page.nextCursor;
        } while (cursor);
        return { seen, totals };
      };
      const other = new Set(otherOwner);
      const group = await walk('group:default/security');
      expect(group.seen).toEqual(ids.filter(id => !other.has(id)));
      expect(group.totals).toEqual(new Set([COUNT - otherOwner.length]));
      const api = new Set(inApi);
      const component = await walk('component:default/api');
      expect(component.seen).toEqual(ids.filter(id => api.has(id)));
      expect(component.totals).toEqual(new Set([inApi.length]));
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the stored urgency rank with every violation write: resolved, re-opened, deleted (%p)',
    async databaseId => {
      const { knex, stores } = await seed(databaseId);
      const first = async () => (await stores.identities.list({}, { limit: 1, now: NOW, sort: 'urgency' })).items[0];
      const rankOf = async (id: string) => Number((await knex('identities').where({ id }).first('open_severity_rank')).open_severity_rank);
      // a healthy identity far from expiry: tier 4
      const [healthy] = await knex('identities').where({ open_severity_rank: 2 }).whereNotNull('not_after').where('not_after', '>', '2027').select('id');
      expect(await rankOf(healthy.id)).toBe(2);
      await knex('violations').insert({ identity_id: healthy.id, rule_id: 'tls.issuer', severity: 'error', message: 'm', remediation: 'r', first_detected: NOW });
      expect(await rankOf(healthy.id)).toBe(0);
      await knex('violations').insert({ identity_id: healthy.id, rule_id: 'tls.automation', severity: 'warning', message: 'm', remediation: 'r', first_detected: NOW });
      await knex('violations').where({ identity_id: healthy.id, rule_id: 'tls.issuer' }).update({ resolved_at: NOW });
      expect(await rankOf(healthy.id)).toBe(1);
      await knex('violations').where({ identity_id: healthy.id }).del();
      expect(await rankOf(healthy.id)).toBe(2);
      // and the order follows: the expired identities still come first
      expect(Date.parse((await first()).notAfter!)).toBeLessThan(Date.parse(NOW));
    },
  );

  it.each(databases.eachSupportedId())(
    'counts the filter exactly and keeps the id order available with sort=id (%p)',
    async databaseId => {
      const { stores, expected } = await seed(databaseId);
      const violating = await stores.identities.list({ violating: true }, { limit: 10, now: NOW, sort: 'urgency' });
      const openCount = Array.from({ length: COUNT }, (_, i) => violationsOf(i + 1).filter(v => !v.resolved_at).length).filter(Boolean).length;
      expect(violating.total).toBe(openCount);
      const expiring = await stores.identities.list({ expiresWithinDays: 30 }, { limit: 10, now: NOW, sort: 'id' });
      expect(expiring.total).toBe(expected.filter(e => e.expiry <= new Date(Date.parse(NOW) + 30 * DAY).toISOString()).length);
      const byId = await stores.identities.list({}, { limit: COUNT, now: NOW, sort: 'id' });
      expect(byId.items.map(i => i.id)).toEqual(expected.map(e => e.id).sort());
      // an id cursor does not continue the urgency order
      const first = await stores.identities.list({}, { limit: 5, now: NOW, sort: 'id' });
      await expect(
        stores.identities.list({}, { cursor: first.nextCursor, limit: 5, now: NOW, sort: 'urgency' }),
      ).rejects.toThrow(/Invalid cursor for sort=urgency/);
    },
  );
  it.each(databases.eachSupportedId())(
    'pages a q search in the same exact urgency order with its exact total, from one statement a page (%p)',
    async databaseId => {
      const { knex, stores, expected } = await seed(databaseId);
      const names = new Map(((await knex('identities').select('id', 'display_name')) as { id: string; display_name: string }[]).map(r => [r.id, r.display_name]));
      // identity-1, -10…-19, -100…-199, -1000…-1999: every tier, many pages
      const wanted = expected.filter(e => names.get(e.id)!.includes('ity-1')).map(e => e.id);
      const statements: string[] = [];
      const count = (q: { sql: string }) => statements.push(q.sql);
      knex.on('query', count);
      const seen: string[] = [];
      const totals = new Set<number | undefined>();
      let cursor: string | undefined;
      let pages = 0;
      try {
        do {
          const now = new Date(Date.parse(NOW) + pages * 3 * DAY).toISOString();
          const page = await stores.identities.list({ q: 'ITY-1' }, { cursor, limit: 37, now, sort: 'urgency' });
          seen.push(...page.items.map(i => i.id));
          totals.add(page.total);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor);
      } finally {
        knex.off('query', count);
      }
      expect(wanted.length).toBeGreaterThan(1_000);
      expect(seen).toEqual(wanted);
      expect(totals).toEqual(new Set([wanted.length]));
      // the page, its total and its rows' open rules in one statement (beside the search's trigram sample, taken once)
      const reads = statements.filter(sql => /from [`"]?(identities|identity_search)[`"]?/i.test(sql) && !/TABLESAMPLE/.test(sql));
      expect(reads).toHaveLength(pages);
      // a search cursor is an urgency cursor: the lanes continue it without the search, and the reverse
      const first = await stores.identities.list({ q: 'identity' }, { limit: 60, now: NOW, sort: 'urgency' });
      const rest = await stores.identities.list({}, { cursor: first.nextCursor, limit: 60, now: NOW, sort: 'urgency' });
      expect([...first.items, ...rest.items].map(i => i.id)).toEqual(expected.slice(0, 120).map(e => e.id));
      const lanes = await stores.identities.list({}, { limit: 60, now: NOW, sort: 'urgency' });
      const searched = await stores.identities.list({ q: 'identity' }, { cursor: lanes.nextCursor, limit: 60, now: NOW, sort: 'urgency' });
      expect(searched.items.map(i => i.id)).toEqual(expected.slice(60, 120).map(e => e.id));
      // past the last match: no rows, the exact total still
      const none = await stores.identities.list({ q: 'no-such-identity' }, { limit: 10, now: NOW, sort: 'urgency' });
      expect(none).toMatchObject({ items: [], total: 0, nextCursor: undefined });
    },
  );

  it.each(databases.eachSupportedId())(
    'answers an unfiltered, type/state or owner total from the summary counters, equal to counting the rows after retirements (%p)',
    async databaseId => {
      const { knex, stores } = await seed(databaseId);
      const ids = ((await knex('identities').select('id').orderBy('id').limit(300)) as { id: string }[]).map(r => r.id);
      // retire 300 through the store's write path (the counters move with it)
      const records = await knex.transaction(tx => stores.identities.getRecords(ids, tx));
      await knex.transaction(tx =>
        stores.identities.writeRecords([...records.values()].map(before => ({ before, after: { ...before, state: 'gone' as const, stateChangedAt: NOW } })), tx),
      );
      const rows = async (where: Record<string, string>) => Number((await knex('identities').where(where).count({ n: '*' }).first())!.n);
      const gone = await rows({ state: 'gone' });
      const activeTls = await rows({ state: 'active', type: 'tls-certificate' });
      const statements: string[] = [];
      const count = (q: { sql: string }) => statements.push(q.sql);
      knex.on('query', count);
      try {
        expect((await stores.identities.list({}, { limit: 5, now: NOW, sort: 'urgency' })).total).toBe(COUNT);
        expect((await stores.identities.list({ state: 'gone' }, { limit: 5, now: NOW, sort: 'id' })).total).toBe(gone);
        expect((await stores.identities.list({ state: 'active', type: 'tls-certificate' }, { limit: 5, now: NOW, sort: 'urgency' })).total).toBe(activeTls);
        expect((await stores.identities.list({ type: 'ssh-key' }, { limit: 5, now: NOW, sort: 'urgency' })).total).toBe(0);
        // an owner's list (a Group's tab), from the per-owner counters
        expect((await stores.identities.list({ owner: 'group:default/security' }, { limit: 5, now: NOW, sort: 'urgency' })).total).toBe(COUNT);
        expect((await stores.identities.list({ owner: 'group:default/security', state: 'gone' }, { limit: 5, now: NOW, sort: 'id' })).total).toBe(300);
        expect((await stores.identities.list({ owner: 'group:default/nobody' }, { limit: 5, now: NOW, sort: 'id' })).total).toBe(0);
      } finally {
        knex.off('query', count);
      }
      expect([gone, activeTls]).toEqual([300, COUNT - 300]);
      // no count over identities for those totals
      expect(statements.filter(sql => /count\(/i.test(sql) && /from [`"]?identities[`"]?/i.test(sql))).toEqual([]);
      expect(statements.filter(sql => /from [`"]?identity_counts[`"]?/i.test(sql))).toHaveLength(4);
      expect(statements.filter(sql => /from [`"]?identity_owner_counts[`"]?/i.test(sql))).toHaveLength(3);
      // an owner filter with more than a type and state still counts its rows
      const within = new Date(Date.parse(NOW) + 100_000 * DAY).toISOString();
      const dated = Number((await knex('identities').where('owner', 'group:default/security').where('not_after', '<=', within).count({ n: '*' }).first())!.n);
      expect(dated).toBeLessThan(COUNT);
      expect((await stores.identities.list({ owner: 'group:default/security', expiresWithinDays: 100_000 }, { limit: 5, now: NOW, sort: 'urgency' })).total).toBe(dated);
    },
  );
  it('reads an unfiltered urgency lane as a range of its index on PostgreSQL, no sort of the table (POSTGRES_15)', async () => {
    if (!databases.eachSupportedId().some(([id]) => id === 'POSTGRES_15')) return;
    const { knex, stores } = await seed('POSTGRES_15');
    const lanes: Array<{ sql: string; bindings: unknown[] }> = [];
    const keep = (q: { sql: string; bindings: unknown[] }) => /open_severity_rank/.test(q.sql) && lanes.push(q);
    knex.on('query', keep);
    try {
      await stores.identities.list({}, { limit: 50, now: NOW, sort: 'urgency' });
    } finally {
      knex.off('query', keep);
    }
    expect(lanes.length).toBeGreaterThan(0);
    for (const lane of lanes) {
      const plan = await knex.transaction(async tx => {
        await tx.raw('SET LOCAL enable_seqscan = off');
        const rows = (await tx.raw(`EXPLAIN ${lane.sql.replace(/\$\d+/g, '?')}`, lane.bindings as any[])).rows as Array<{ 'QUERY PLAN': string }>;
        return rows.map(r => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain('identities_urgency_idx');
      expect(plan).not.toMatch(/\bSort\b/);
    }
  });
});
