import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import { AwsEmulator, DEMO_AWS_CREDENTIALS, demoAccount, type EmulatedAccount } from '@keyring/cloud-emulators/aws';
import knexFactory from 'knex';
import { startAwsBackend as startBackend } from './__testUtils__/startAwsBackend';

describe('aws-iam source through the real machine-identity backend', () => {
  let emulator: AwsEmulator;
  let account: EmulatedAccount;
  beforeEach(async () => {
    account = await demoAccount();
    emulator = await AwsEmulator.start({ accounts: [account] });
  });
  afterEach(() => emulator.stop());

  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'inventories the account, and a throttled or failing page mid-scan makes the run partial and retires nothing (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { backend, scan, identities, get } = await startBackend(emulator, knex);
      try {
        const first = await scan();
        expect(first).toMatchObject({ status: 'succeeded', seen: 15, added: 15, retired: 0, errors: [] });
        const items = await identities();
        const byName = (n: string) => items.find(i => i.displayName === n || i.displayName.endsWith(n));
        expect(items.filter(i => i.type === 'secret')).toHaveLength(2);
        expect(byName('user/svc-payments-api')).toMatchObject({ type: 'service-account', owner: 'group:default/payments', component: 'component:default/payments-api', ownershipRule: 'source-metadata' });
        expect(byName('user/deploy-bot')).toMatchObject({ owner: 'group:default/platform-team', component: 'component:default/deploy-tooling', ownershipRule: 'component-annotation', privileged: true, privilegedReason: 'inline policy deploy-everything allows *:*' });
        expect(byName('role/admin-breakglass')).toMatchObject({ type: 'workload-identity', privileged: true, privilegedReason: 'attached policy AdministratorAccess' });
        expect(byName('billing/partner-api-key')).toMatchObject({ rotation: { enabled: false }, management: 'manual', lastUsedAt: expect.any(String) });
        const stale = items.find(i => i.type === 'api-token' && i.extra?.userName === 'svc-billing-export' && i.extra?.status === 'Active');
        expect(Math.round((Date.now() - Date.parse(stale.lastUsedAt)) / 86_400_000)).toBe(212);

        // Throttled beyond the SDK's retries on the second role, then a 5xx on a user's keys.
        emulator.injectFault({ operation: 'GetRole', kind: 'throttle', times: 3, params: { RoleName: 'payments-api-ec2' } });
        emulator.injectFault({ operation: 'ListAccessKeys', kind: 'server-error', times: 3, params: { UserName: 'svc-billing-export' } });
        account.secrets.pop(); // gone from AWS, but this run cannot retire anything
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(partial.errors.map((e: any) => e.location).sort()).toEqual([
          '123456789012/iam/roles/payments-api-ec2',
          '123456789012/iam/users/svc-billing-export',
        ]);
        expect(partial.errors.map((e: any) => e.message).sort()).toEqual([
          'GetRole failed: Throttling (HTTP 400, 3 attempts): Rate exceeded',
          expect.stringMatching(/^ListAccessKeys failed after 0 items: ServiceFailureException \(HTTP 500, 3 attempts\)/),
        ]);
        const after = await identities();
        expect(after.filter(i => i.state === 'active')).toHaveLength(15);

        // A clean run afterwards retires what is really gone.
        const clean = await scan();
        expect(clean).toMatchObject({ status: 'succeeded', retired: 1 });
        expect((await get('/identities?limit=500&state=gone')).items.map((i: any) => i.displayName)).toEqual(['billing/partner-api-key']);
      } finally {
        await backend.stop();
      }
    },
  );

  it('keeps secret access keys and secret values out of the database file, the logs and the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-aws-'));
    const dbPath = join(dir, 'keyring.sqlite');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: dbPath }, useNullAsDefault: true });
    const lines: string[] = [];
    const { backend, scan, identities, get, responses } = await startBackend(emulator, knex, lines);
    try {
      expect(await scan()).toMatchObject({ status: 'succeeded' });
      for (const item of await identities()) await get(`/identities/${item.id}`);
      await get('/changes?since=0');
      await get('/violations');
      await backend.stop();
      await knex.destroy();
      const database = readFileSync(dbPath);
      const logs = lines.join('\n');
      const api = responses.join('\n');
      const needles = [
        DEMO_AWS_CREDENTIALS.secretAccessKey,
        ...account.users.flatMap(u => u.accessKeys.map(k => k.secretAccessKey)),
        ...account.secrets.map(s => s.secretString),
      ];
      expect(needles.length).toBeGreaterThan(5);
      for (const needle of needles) {
        expect(database.includes(Buffer.from(needle))).toBe(false);
        expect(logs.includes(needle)).toBe(false);
        expect(api.includes(needle)).toBe(false);
      }
      expect(logs).toMatch(/Scanned AWS account 123456789012/);
      expect(emulator.callCount('GetSecretValue')).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
