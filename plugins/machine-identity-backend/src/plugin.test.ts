import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { API, AUTH, component, range, startTestPlugin as start } from './__testUtils__/startTestPlugin';
import { discovery, scanPlans, yields } from './__testUtils__/testScannerModule';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('machine-identity backend plugin', () => {
  afterEach(() => scanPlans.clear());

  it.each(databases.eachSupportedId())(
    'retires only on a succeeded scan, never deletes, and revives re-appearing identities (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // one run retires half of alpha here: the share guard has its own tests (scanning/retirement.test.ts)
      const { backend, scan, get, all } = await start(knex, [], { retirement: { maxShare: 1 } });
      try {
        scanPlans.set('alpha', yields(...range(1, 10).map(n => discovery(n))));
        const first = await scan('alpha');
        expect(first).toMatchObject({ status: 'succeeded', seen: 10, added: 10, retired: 0 });

        scanPlans.set('alpha', async function* partial(ctx) {
          yield* range(1, 5).map(n => discovery(n));
          ctx.reportProblem({ location: '127.0.0.1:1006', message: 'connection refused' });
        });
        const partial = await scan('alpha');
        expect(partial).toMatchObject({ status: 'partial', seen: 5, retired: 0 });
        expect(partial.errors).toEqual([{ location: '127.0.0.1:1006', message: 'connection refused' }]);
        expect((await all('&state=active')).length).toBe(10);

        scanPlans.set('alpha', async function* failing() {
          yield* range(1, 3).map(n => discovery(n));
          throw new Error('listing the source failed');
        });
        const failed = await scan('alpha');
        expect(failed).toMatchObject({ status: 'failed', retired: 0 });
        expect(failed.errors.at(-1).message).toBe('listing the source failed');
        expect((await all('&state=active')).length).toBe(10);

        // identity 2 is also seen by another source: alpha losing it must not retire it
        scanPlans.set('beta', yields(discovery(2, { location: '127.0.0.2:22' })));
        expect((await scan('beta')).status).toBe('succeeded');

        scanPlans.set('alpha', async function* complete(ctx) {
          ctx.reportCovered('127.0.0.1');
          yield* [1, 3, 4, 5].map(n => discovery(n));
          ctx.reportProblem({ message: 'skipped a malformed line', incomplete: false });
        });
        const complete = await scan('alpha');
        expect(complete).toMatchObject({ status: 'succeeded', seen: 4, retired: 5 });
        const gone = await all('&state=gone');
        expect(gone.map(i => i.displayName).sort()).toEqual(
          [6, 7, 8, 9, 10].map(n => `identity-${n}.example.test`).sort(),
        );
        expect(await knex('identities').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
        expect(Number((await knex('identities').count({ n: '*' }).first())!.n)).toBe(10);
        expect(Number((await knex('observations').count({ n: '*' }).first())!.n)).toBe(11);

        const two = (await all()).find(i => i.displayName === 'identity-2.example.test');
        expect(two.state).toBe('active');

        scanPlans.set('alpha', yields(...range(1, 10).map(n => discovery(n))));
        await scan('alpha');
        const back = (await all()).find(i => i.displayName === 'identity-7.example.test');
        expect(back.state).toBe('active');
        const details = await get(`/identities/${back.id}`);
        expect(details.status).toBe(200);
        expect(
          details.body.history
            .map((h: any) => h.action)
            .filter((a: string) => !a.startsWith('violation-')),
        ).toEqual(['reappeared', 'gone', 'discovered']);
        expect(details.body.observations).toHaveLength(1);
        expect(details.body.observations[0].sourceId).toBe('alpha');
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps change_seq on an identical re-scan while last_seen moves (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, get } = await start(knex);
      try {
        scanPlans.set('alpha', yields(...range(1, 20).map(n => discovery(n))));
        await scan('alpha');
        const before = await get('/changes?since=0&limit=1000');
        expect(before.body.items).toHaveLength(20);
        expect(before.body.hasMore).toBe(false);
        const seqs = before.body.items.map((i: any) => i.changeSeq);
        expect(new Set(seqs).size).toBe(20);
        await new Promise(r => setTimeout(r, 5));
        await scan('alpha');
        const after = await get('/changes?since=0&limit=1000');
        expect(after.body.items.map((i: any) => i.changeSeq)).toEqual(seqs);
        expect(after.body.items[0].lastSeen > before.body.items[0].lastSeen).toBe(true);
        const nothingNew = await get(`/changes?since=${before.body.nextSince}`);
        expect(nothingNew.body).toEqual({ items: [], nextSince: before.body.nextSince, hasMore: false });

        scanPlans.set('alpha', yields(...range(1, 20).map(n => discovery(n, n === 4 ? { displayName: 'renamed.example.test' } : {}))));
        await scan('alpha');
        const delta = await get(`/changes?since=${before.body.nextSince}`);
        expect(delta.body.items.map((i: any) => i.displayName)).toEqual(['renamed.example.test']);

        const paged = await get('/changes?since=0&limit=8');
        expect(paged.body.items).toHaveLength(8);
        expect(paged.body.hasMore).toBe(true);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'one scan of N changed identities adds exactly N change-feed entries with their violations; an unchanged re-scan adds none (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, get } = await start(knex);
      const expired = new Date(Date.now() - 86_400_000).toISOString();
      // every identity is an orphan (fallback owner) and the odd ones are expired: violations open in the scan itself
      const plan = (renamed: number[] = []) =>
        yields(
          ...range(1, 12).map(n =>
            discovery(n, {
              attributes: { subject: `CN=identity-${n}`, keyAlgorithm: 'ed25519', ...(n % 2 ? { notAfter: expired } : {}) },
              ...(renamed.includes(n) ? { displayName: `renamed-${n}.example.test` } : {}),
            }),
          ),
        );
      const feed = async (since: number) => (await get(`/changes?since=${since}&limit=1000`)).body;
      try {
        scanPlans.set('alpha', plan());
        await scan('alpha');
        const first = await feed(0);
        expect(first.items).toHaveLength(12);
        expect(first.nextSince).toBe(12);
        expect(first.items.every((i: any) => i.compliance === 'violating' && i.violationCount > 0)).toBe(true);

        await scan('alpha');
        expect(await feed(first.nextSince)).toEqual({ items: [], nextSince: first.nextSince, hasMore: false });

        scanPlans.set('alpha', plan([2, 5, 9]));
        await scan('alpha');
        const delta = await feed(first.nextSince);
        expect(delta.items.map((i: any) => i.displayName).sort()).toEqual(
          ['renamed-2.example.test', 'renamed-5.example.test', 'renamed-9.example.test'],
        );
        expect(delta.nextSince - first.nextSince).toBe(3);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'resolves ownership by review decision > source metadata > Component annotations > fallback (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all } = await start(knex, [
        component('payments-api', 'group:default/payments', {
          'keyring.io/hostnames': 'api.payments.example.test, *.payments.example.test',
        }),
        component('billing', 'billing-team', { 'keyring.io/ssh-accounts': 'billing-deploy' }),
        component('k8s-app', 'group:default/platform', { 'backstage.io/kubernetes-id': 'k8s-app' }),
      ]);
      try {
        const second = (details?: Record<string, unknown>) =>
          discovery(2, {
            links: { hostnames: ['shop.payments.example.test'] },
            ownerHint: { owner: 'group:default/ops', via: 'aws tag owner=ops' },
            details,
          });
        const sightings = [
          discovery(1, { links: { hostnames: ['shop.payments.example.test'] } }),
          second(),
          discovery(3, { links: { hostnames: ['a.b.payments.example.test'] } }),
          discovery(4, { ownerHint: { component: 'billing', via: 'key comment billing' } }),
          discovery(5, { links: { sshAccounts: ['billing-deploy'] } }),
          discovery(6, { links: { kubernetesIds: ['k8s-app'] } }),
          discovery(7, { links: { hostnames: ['payments.example.test'] } }),
        ];
        scanPlans.set('alpha', yields(...sightings));
        await scan('alpha');
        const byName = async () =>
          Object.fromEntries((await all()).map(i => [i.displayName.split('.')[0], i]));
        let ids = await byName();
        expect(ids['identity-1']).toMatchObject({ owner: 'group:default/payments', component: 'component:default/payments-api', ownershipRule: 'component-annotation' });
        expect(ids['identity-2']).toMatchObject({ owner: 'group:default/ops', ownershipRule: 'source-metadata' });
        expect(ids['identity-3']).toMatchObject({ owner: 'group:default/security', ownershipRule: 'fallback' });
        expect(ids['identity-3'].component).toBeUndefined();
        expect(ids['identity-4']).toMatchObject({ owner: 'group:default/billing-team', component: 'component:default/billing', ownershipRule: 'source-metadata' });
        expect(ids['identity-5']).toMatchObject({ owner: 'group:default/billing-team', ownershipRule: 'component-annotation' });
        expect(ids['identity-6']).toMatchObject({ owner: 'group:default/platform', ownershipRule: 'component-annotation' });
        expect(ids['identity-7']).toMatchObject({ ownershipRule: 'fallback' });

        // an explicit review decision outranks the source's hint (set in the row here, so the next
        // scan must resolve that identity again: its sighting changes — an unchanged one is skipped)
        await knex('identities').where({ id: ids['identity-2'].id }).update({ review_owner: 'group:default/reviewed' });
        scanPlans.set('alpha', yields(...sightings.map((d, i) => (i === 1 ? second({ port: 8443 }) : d))));
        await scan('alpha');
        ids = await byName();
        expect(ids['identity-2']).toMatchObject({ owner: 'group:default/reviewed', ownershipRule: 'review-decision' });

        const summary = await (await import('supertest')).default(backend.server).get(`${API}/summary`).set('Authorization', AUTH);
        expect(summary.body).toMatchObject({ total: 7, owned: 5, orphaned: 2 });
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'matches SSH host and account of the same sighting for Components declaring both (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all } = await start(knex, [
        component('identity-gateway', 'group:default/identity', { 'keyring.io/ssh-hosts': 'db-01', 'keyring.io/ssh-accounts': 'backup' }),
        component('legacy-billing', 'group:default/billing', { 'keyring.io/ssh-accounts': 'billing' }),
      ]);
      const sighting = (n: number, host: string, account: string) =>
        discovery(n, {
          type: 'ssh-key',
          location: `${host}:/home/${account}/.ssh/authorized_keys:1`,
          links: { sshHosts: [host], sshAccounts: [account] },
        });
      try {
        scanPlans.set(
          'alpha',
          yields(
            sighting(1, 'db-01', 'billing'),
            sighting(2, 'db-01', 'backup'),
            // one key, two sightings: db-01 as root and db-02 as backup — never db-01 as backup
            sighting(3, 'db-01', 'root'),
            sighting(3, 'db-02', 'backup'),
            discovery(4, { type: 'ssh-key', location: 'db-01:22', links: { sshHosts: ['db-01'] } }),
          ),
        );
        await scan('alpha');
        let ids = Object.fromEntries((await all()).map(i => [i.displayName.split('.')[0], i]));
        expect(ids['identity-1']).toMatchObject({ owner: 'group:default/billing', component: 'component:default/legacy-billing' });
        expect(ids['identity-2']).toMatchObject({ owner: 'group:default/identity', component: 'component:default/identity-gateway' });
        expect(ids['identity-3']).toMatchObject({ owner: 'group:default/security', ownershipRule: 'fallback' });
        expect(ids['identity-4']).toMatchObject({ ownershipRule: 'fallback' });

        // a later scan that adds the matching sighting links key 3, remembering earlier sightings
        scanPlans.set('beta', yields(sighting(3, 'db-01', 'backup')));
        await scan('beta');
        ids = Object.fromEntries((await all()).map(i => [i.displayName.split('.')[0], i]));
        expect(ids['identity-3']).toMatchObject({ component: 'component:default/identity-gateway', ownershipRule: 'component-annotation' });
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'cursor pagination visits every identity exactly once under filters (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, all, get } = await start(knex);
      try {
        const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
        const later = new Date(Date.now() + 200 * 86_400_000).toISOString();
        scanPlans.set(
          'alpha',
          yields(
            ...range(1, 137).map(n =>
              discovery(n, { attributes: { notAfter: n % 2 ? soon : later, subject: `CN=identity-${n}` } }),
            ),
          ),
        );
        await scan('alpha');
        const everything = await all();
        expect(everything).toHaveLength(137);
        expect(new Set(everything.map(i => i.id)).size).toBe(137);
        const ssh = await all('&type=ssh-key');
        expect(ssh).toHaveLength(45);
        expect(new Set(ssh.map(i => i.id)).size).toBe(45);
        expect(ssh.every(i => i.type === 'ssh-key')).toBe(true);
        const expiring = await all('&expiresWithinDays=30&type=tls-certificate');
        const expected = range(1, 137).filter(n => n % 3 !== 0 && n % 2 === 1).length;
        expect(expiring).toHaveLength(expected);
        expect(new Set(expiring.map(i => i.id)).size).toBe(expected);
        const search = await get('/identities?q=IDENTITY-13&limit=500');
        expect(search.body.items.map((i: any) => i.displayName).sort()).toEqual(
          ['identity-13.example.test', 'identity-130.example.test', 'identity-131.example.test', 'identity-132.example.test', 'identity-133.example.test', 'identity-134.example.test', 'identity-135.example.test', 'identity-136.example.test', 'identity-137.example.test'],
        );
        const prefix = everything[0].fingerprintSha256.slice(0, 12);
        const byFp = await get(`/identities?q=${prefix}`);
        expect(byFp.body.items.map((i: any) => i.id)).toEqual([everything[0].id]);
        const page = await get('/identities');
        expect(page.body.items).toHaveLength(50);
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'answers 400 for bad input, 404 for unknown ids and sources, 401 without credentials (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, http, get, scan } = await start(knex);
      try {
        expect((await http.get(`${API}/health`)).body).toEqual({ status: 'ok' });
        expect((await http.get(`${API}/identities`)).status).toBe(401);
        expect((await http.post(`${API}/sources/alpha/scan`)).status).toBe(401);
        for (const bad of [
          '/identities?limit=abc',
          '/identities?limit=0',
          '/identities?limit=501',
          '/identities?type=password',
          '/identities?state=deleted',
          '/identities?expiresWithinDays=-1',
          '/identities?violating=yes',
          '/identities?cursor=not-a-cursor',
          '/identities?owner=group:default/',
          '/identities?bogus=1',
          '/identities?type=ssh-key&type=tls-certificate',
          '/violations?ruleId=Not%20A%20Rule',
          '/changes?since=-4',
        ]) {
          const res = await get(bad);
          expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
          expect(res.body.error.message).toEqual(expect.any(String));
        }
        expect((await get('/identities/no-such-id')).status).toBe(404);
        expect((await get('/scans/no-such-scan')).status).toBe(404);
        expect((await http.post(`${API}/sources/no-such-source/scan`).set('Authorization', AUTH)).status).toBe(404);
        const service = await http.get(`${API}/summary`).set('Authorization', mockCredentials.service.header());
        expect(service.status).toBe(200);
        expect((await get('/sources')).body.items.map((s: any) => s.id)).toEqual(['alpha', 'beta', 'ghost', 'slow']);
        expect(Array.isArray((await get('/policy')).body)).toBe(true);

        // a run that outlives its timeout fails and retires nothing
        scanPlans.set('slow', yields(discovery(50), discovery(51)));
        expect((await scan('slow')).status).toBe('succeeded');
        scanPlans.set('slow', async function* hang(ctx) {
          yield discovery(50);
          await new Promise(resolve => ctx.signal.addEventListener('abort', resolve));
        });
        const timedOut = await scan('slow');
        expect(timedOut.status).toBe('failed');
        expect(timedOut.errors.at(-1).message).toMatch(/^Timed out after/);
        expect((await get('/identities?state=gone')).body.items).toEqual([]);

        const ghost = await scan('ghost');
        expect(ghost.status).toBe('failed');
        expect(ghost.errors[0].message).toContain('No installed scanner module serves source type "no-such-type"');

        scanPlans.set('alpha', async function* bad() {
          yield discovery(1);
          yield { ...discovery(2), fingerprintSha256: 'ZZ' };
          yield { nonsense: true } as any;
        });
        const run = await scan('alpha');
        expect(run.status).toBe('partial');
        expect(run.seen).toBe(1);
        expect(run.errors.map((e: any) => e.message)).toEqual([
          'Skipped an invalid discovery: fingerprintSha256 is not 64 lower-case hex characters',
          'Skipped an invalid discovery: unknown identity type "undefined"',
        ]);
      } finally {
        await backend.stop();
      }
    },
  );
});
