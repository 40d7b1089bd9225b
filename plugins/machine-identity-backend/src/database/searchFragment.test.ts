import { TestDatabases } from '@backstage/backend-test-utils';
import { discovery } from '../__testUtils__/testScannerModule';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { DatabaseInventoryStores } from './DatabaseInventoryStores';
import { SearchTrigramStatistics } from './SearchTrigramStatistics';
import { chooseSearchFragment, likeTrigrams } from './searchFragment';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = '2026-12-04T10:00:00.000Z';
const resolveOwnership = () => ({ rule: 'fallback' as const, via: 'test' });

describe('likeTrigrams', () => {
  it("pads a word where a separator in the fragment bounds it, not at the fragment's own ends (wildcards)", () => {
    expect(likeTrigrams('.team-7.').sort()).toEqual(['  7', '  t', ' 7 ', ' te', 'am ', 'eam', 'tea'].sort());
    expect(likeTrigrams('team-7').sort()).toEqual(['  7', 'am ', 'eam', 'tea'].sort());
    expect(likeTrigrams('svc')).toEqual(['svc']);
    expect(likeTrigrams('ab')).toEqual([]);
    expect(likeTrigrams('a.b')).toEqual(['  b']);
    expect(likeTrigrams('zürich').sort()).toEqual(['ich', 'ric', 'üri', 'zür'].sort());
  });
});

describe('chooseSearchFragment', () => {
  const everyRowHas = new Set(['  t', ' te', 'tea', 'eam', 'am ', 'svc', 'vc ', '  s', ' sv']);
  const frequency = (t: string) => (everyRowHas.has(t) ? 1 : t === '  7' ? 0.1 : 0.02);

  it('asks the index for the word whose trigrams are rare, with the separators that pad it', () => {
    expect(chooseSearchFragment('.team-7.', frequency)).toBe('-7.');
    expect(chooseSearchFragment('svc-12345.team', frequency)).toBe('-12345.');
  });

  it('keeps the whole needle when no fragment is cheaper, and never picks a fragment without trigrams', () => {
    // "a." has no trigram: an index lookup for it would read the whole index
    expect(chooseSearchFragment('a.b', t => (t === '  b' ? 1 : 0.001))).toBe('a.b');
    // a fragment only a little cheaper than the needle is not worth the needle's narrower candidates
    expect(chooseSearchFragment('payments-api', t => (t === 'api' ? 0.002 : 0.001))).toBe('payments-api');
    expect(chooseSearchFragment('x.team', frequency)).toBe('x.team');
  });
});

describe('SearchTrigramStatistics', () => {
  it.each(databases.eachSupportedId())(
    'on PostgreSQL looks up the rare part of a needle and still finds exactly the needle; on SQLite the whole needle (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await DatabaseInventoryStores.fromKnex(knex);
      // every name holds ".team-"; one in 25 is team-7's; some others hold "-7." elsewhere but are not team-7's
      const discoveries = Array.from({ length: 500 }, (_, i) =>
        discovery(i + 1, {
          displayName: i % 40 === 3 ? `svc-7.team-${i % 25}.example.test` : `svc-${i}.team-${i % 25}.example.test`,
          attributes: { subject: `CN=svc-${i}`, keyAlgorithm: 'ed25519' },
        }),
      );
      await writeDiscoveries(stores, { scanId: 's1', sourceId: 'alpha', now: NOW, resolveOwnership, discoveries });
      const statistics = new SearchTrigramStatistics(knex);
      await statistics.refresh();
      const postgres = databaseId.startsWith('POSTGRES');
      expect(statistics.fragmentFor('.team-7.')).toBe(postgres ? '-7.' : undefined);

      const expected = discoveries.map(d => d.displayName).filter(name => name.includes('.team-7.')).sort();
      expect(expected).toHaveLength(20);
      // the store's own statistics: the first search starts the sample and looks up the whole needle
      const sqls: string[] = [];
      knex.on('query', (q: { sql: string; bindings?: unknown[] }) => sqls.push(`${q.sql} ${JSON.stringify(q.bindings ?? [])}`));
      const names = async (sort: 'id' | 'urgency') => {
        const page = await stores.identities.list({ q: '.TEAM-7.' }, { limit: 100, now: NOW, sort });
        expect(page.total).toBe(page.items.length);
        return page.items.map(i => i.displayName).sort();
      };
      expect(await names('urgency')).toEqual(expected);
      // the sample is taken in the background: wait (up to 10 s) until a search uses it
      for (let tries = 0; postgres && tries < 100 && !sqls.some(sql => sql.includes('strpos')); tries++) {
        await new Promise(resolve => setTimeout(resolve, 100));
        sqls.length = 0;
        expect(await names('urgency')).toEqual(expected);
      }
      sqls.length = 0;
      expect(await names('urgency')).toEqual(expected);
      expect(await names('id')).toEqual(expected);
      const searches = sqls.filter(s => s.includes('search_text LIKE'));
      expect(searches.length).toBeGreaterThan(0);
      for (const sql of searches) {
        expect(sql.includes('"%-7.%"') && sql.includes('strpos(search_text')).toBe(postgres);
      }
      // a fragment handed in with the filter is the store's to set, not the caller's
      const forged = await stores.identities.list({ q: '.team-7.', searchFragment: 'svc' }, { limit: 100, now: NOW, sort: 'id' });
      expect(forged.items.map(i => i.displayName).sort()).toEqual(expected);
    },
  );
});
