import { TestDatabases } from '@backstage/backend-test-utils';
import { startTestPlugin } from '../__testUtils__/startTestPlugin';
import { discovery, scanPlans, yields } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;
const COUNT = 600;

function tierOf(item: any, now: number): number {
  const severities = (item.openRules ?? []).map((r: any) => r.severity);
  if (item.notAfter && Date.parse(item.notAfter) < now) return 0;
  if (severities.includes('error')) return 1;
  if (item.notAfter && Date.parse(item.notAfter) <= now + 30 * DAY) return 2;
  if (severities.includes('warning')) return 3;
  return 4;
}

describe('GET /identities', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'answers most urgent first by default, page after page, with the exact total, and by id with sort=id (%p)',
    async databaseId => {
      const now = Date.now();
      const notAfterOf = (n: number) =>
        [
          new Date(now - (n % 9 + 1) * DAY).toISOString(),
          new Date(now + (n % 25 + 1) * DAY).toISOString(),
          '9999-12-31T23:59:59.000Z',
          new Date(now + (60 + (n % 300)) * DAY).toISOString(),
          undefined,
        ][n % 5];
      scanPlans.set(
        'alpha',
        yields(
          ...Array.from({ length: COUNT }, (_, i) => {
            const notAfter = notAfterOf(i + 1);
            return discovery(i + 1, {
              type: 'tls-certificate',
              attributes: {
                keyAlgorithm: 'rsa',
                keySize: (i + 1) % 4 === 0 ? 1024 : 3072,
                ...(notAfter && { notAfter }),
              },
            });
          }),
        ),
      );
      const { backend, scan, get } = await startTestPlugin(await databases.init(databaseId));
      try {
        expect((await scan('alpha')).status).toBe('succeeded');

        const urgent: any[] = [];
        let cursor: string | undefined;
        do {
          const res = await get(`/identities?limit=73${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          expect(res.body.total).toBe(COUNT);
          urgent.push(...res.body.items);
          cursor = res.body.nextCursor;
        } while (cursor);

        const key = (item: any) => [tierOf(item, now), item.notAfter ?? '9999-99-99', item.id] as const;
        const expected = [...urgent].sort((a, b) => {
          const [ta, ea, ia] = key(a);
          const [tb, eb, ib] = key(b);
          return ta - tb || (ea < eb ? -1 : ea > eb ? 1 : 0) || (ia < ib ? -1 : 1);
        });
        expect(urgent.map(i => i.id)).toEqual(expected.map(i => i.id));
        expect(new Set(urgent.map(i => i.id)).size).toBe(COUNT);
        expect(tierOf(urgent[0], now)).toBe(0);
        // the real policy engine found errors and warnings: more than the expiry tiers are in play
        const tiers = new Set(urgent.map(i => tierOf(i, now)));
        for (const tier of [0, 1, 2, 3]) expect(tiers).toContain(tier);

        const byId: any[] = [];
        cursor = undefined;
        do {
          const res = await get(`/identities?sort=id&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          byId.push(...res.body.items);
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(byId.map(i => i.id)).toEqual(urgent.map(i => i.id).sort());

        const violating = await get('/identities?violating=true&limit=1');
        expect(violating.body.total).toBe(urgent.filter(i => i.violationCount > 0).length);
        expect((await get('/identities?sort=newest')).status).toBe(400);
        const idPage = await get('/identities?sort=id&limit=2');
        expect((await get(`/identities?cursor=${idPage.body.nextCursor}`)).status).toBe(400);
      } finally {
        await backend.stop();
      }
    },
  );
});
