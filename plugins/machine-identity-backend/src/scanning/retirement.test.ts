import { TestDatabases } from '@backstage/backend-test-utils';
import { range, startTestPlugin } from '../__testUtils__/startTestPlugin';
import { covering, discovery, scanPlans, yields } from '../__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const at = (n: number, host: string) => discovery(n, { location: `${host}:${1000 + n}` });

describe('retirement on evidence', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'a run that saw nothing and covered nothing retires nothing and says why (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all } = await startTestPlugin(knex);
      try {
        scanPlans.set('alpha', yields(...range(1, 5).map(n => at(n, '127.0.0.1'))));
        expect(await scan('alpha')).toMatchObject({ status: 'succeeded', added: 5 });

        // a network partition: every connect timed out, so nothing was seen and nothing is covered
        scanPlans.set('alpha', yields());
        const blind = await scan('alpha');
        expect(blind).toMatchObject({ status: 'partial', seen: 0, retired: 0 });
        expect(blind.errors.map((e: any) => e.message)).toEqual([expect.stringMatching(/^Kept 5 identities this run did not see/)]);
        expect((await all('&state=active')).length).toBe(5);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'retires a covered-and-absent identity, keeps uncovered ones and marks the run partial (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all, get } = await startTestPlugin(knex);
      try {
        scanPlans.set('alpha', yields(...range(1, 10).map(n => at(n, '127.0.0.1')), ...range(11, 20).map(n => at(n, '127.0.0.2'))));
        await scan('alpha');

        // 127.0.0.1 answered completely (9 served, 1 refused); 127.0.0.2 timed out
        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...range(1, 9).map(n => at(n, '127.0.0.1')))));
        const run = await scan('alpha');
        expect(run).toMatchObject({ status: 'partial', seen: 9, retired: 1 });
        expect(run.errors[0].message).toMatch(/^Kept 10 identities this run did not see/);
        const gone = await all('&state=gone');
        expect(gone.map(i => i.displayName)).toEqual(['identity-10.example.test']);
        expect((await all('&state=active')).length).toBe(19);
        const history = (await get(`/identities/${gone[0].id}`)).body.history.map((h: any) => h.action);
        expect(history[0]).toBe('gone');
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'holds a retirement above maxShare and retires it when the next run confirms (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all } = await startTestPlugin(knex);
      try {
        scanPlans.set('alpha', yields(...range(1, 20).map(n => at(n, '127.0.0.1'))));
        await scan('alpha');

        // half of the source disappears at once: above the default 10 % the run retires nothing
        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...range(1, 10).map(n => at(n, '127.0.0.1')))));
        const held = await scan('alpha');
        expect(held).toMatchObject({ status: 'succeeded', retired: 0 });
        expect(held.errors.map((e: any) => e.message)).toEqual([
          expect.stringMatching(/^Held back retiring 10 of 20 active identities of source alpha \(50%, above machineIdentity\.retirement\.maxShare 10%\)/),
        ]);
        expect((await all('&state=active')).length).toBe(20);
        const row = await knex('scan_runs').where({ id: held.id }).first();
        expect(JSON.parse(row.held_retirement)).toHaveLength(10);

        // the next run confirms nine of them; identity 11 came back
        scanPlans.set('alpha', covering(['127.0.0.1'], yields(...range(1, 11).map(n => at(n, '127.0.0.1')))));
        const confirmed = await scan('alpha');
        expect(confirmed).toMatchObject({ status: 'succeeded', retired: 9 });
        expect((await all('&state=gone')).map(i => i.displayName).sort()).toEqual(
          range(12, 20).map(n => `identity-${n}.example.test`).sort(),
        );
        expect((await all('&state=active')).length).toBe(11);
      } finally {
        await backend.stop();
      }
    },
  );
});
