import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AwsEmulator,
  DEMO_AWS_CREDENTIALS,
  addGeneratedUsers,
  demoAccount,
  role,
  user,
  type EmulatedAccount,
} from '@keyring/cloud-emulators/aws';
import { inShard, type MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { awsDemoConfig } from '../__testUtils__/awsBackend';
import { runAwsScanner, type AwsScanOutcome } from '../__testUtils__/runAwsScanner';
import { startAwsBackend } from '../__testUtils__/startAwsBackend';

const ACCOUNT = '123456789012';
const COUNT = 3;
const shards = Array.from({ length: COUNT }, (_, index) => ({ index, count: COUNT }));
const NOW = new Date();
const sorted = (xs: string[]) => [...xs].sort();
const described = (ds: MachineIdentityDiscovery[]) => sorted(ds.map(d => JSON.stringify([d.location, d])));
const json = (xs: unknown[]) => sorted(xs.map(x => JSON.stringify(x)));
const userLocation = (name: string) => `${ACCOUNT}/iam/users/${name}`;

/** The demo account with 24 more users (one or two access keys each) and 9 more roles. */
async function largerAccount(): Promise<EmulatedAccount> {
  const account = await demoAccount(NOW);
  addGeneratedUsers(account, 24, NOW);
  for (let i = 0; i < 9; i++) account.roles.push(role({ roleName: `worker-${i}`, createDate: NOW.toISOString(), attachedPolicies: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] }));
  return account;
}

/**
 * Where a discovery belongs: an IAM user or role by its location, a user's
 * keys by their user's, the account-level stores (`undefined`) to shard 0.
 */
function ownerKey(d: MachineIdentityDiscovery): string | undefined {
  if (d.type === 'service-account' || d.type === 'workload-identity') return d.location;
  if (d.type === 'api-token' || d.type === 'ssh-key') return userLocation(String(d.details?.userName));
  return undefined;
}

describe('AwsIamScanner of a sharded source', () => {
  let emulator: AwsEmulator;
  let account: EmulatedAccount;
  const source = () => ({ accounts: [{ accountId: ACCOUNT, region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS }] });
  /** The whole source once, then each shard, with each shard's calls. */
  const scanShards = async () => {
    const whole = await runAwsScanner(source());
    const parts: Array<AwsScanOutcome & { calls: typeof emulator.calls }> = [];
    for (const shard of shards) {
      emulator.calls.length = 0;
      const part = await runAwsScanner(source(), shard);
      parts.push({ ...part, calls: [...emulator.calls] });
    }
    return { whole, parts };
  };

  beforeAll(async () => {
    account = await largerAccount();
    emulator = await AwsEmulator.start({ accounts: [account] });
  });
  afterAll(() => emulator.stop());

  it('the shards together find exactly what one run finds, each user and role in one shard and the account-level stores in shard 0', async () => {
    const { whole, parts } = await scanShards();
    expect(whole.problems).toEqual([]);
    expect(whole.discoveries.filter(d => d.type === 'service-account')).toHaveLength(27);
    expect(whole.discoveries.filter(d => d.type === 'workload-identity')).toHaveLength(11);

    // Same discoveries, field for field (privilege, owner hints, key facts), each once.
    expect(parts.flatMap(p => described(p.discoveries)).sort()).toEqual(described(whole.discoveries));
    for (const [i, part] of parts.entries()) {
      expect(part.problems).toEqual([]);
      for (const d of part.discoveries) {
        const key = ownerKey(d);
        expect(key === undefined ? i === 0 : inShard(key, shards[i])).toBe(true);
      }
      expect(part.discoveries.filter(d => d.type === 'service-account').length).toBeGreaterThan(2);
    }
    // Coverage: the same places (every shard lists all users and roles, so each covers the family it listed completely).
    expect(new Set(parts.flatMap(p => p.covered))).toEqual(new Set(whole.covered));
    expect(whole.covered).toEqual(expect.arrayContaining([`${ACCOUNT}/iam/users/`, `${ACCOUNT}/iam/access-keys/`, `${ACCOUNT}/iam/roles/`]));
  });

  it("each shard makes the per-user and per-role calls of its own users and roles only, and only shard 0 reads the account-level stores", async () => {
    const { parts } = await scanShards();
    for (const [i, { calls }] of parts.entries()) {
      const perUser = calls.filter(c => c.operation === 'ListAccessKeys').map(c => String(c.params.UserName));
      const perRole = calls.filter(c => c.operation === 'GetRole').map(c => String(c.params.RoleName));
      expect(perUser.length).toBeGreaterThan(2);
      expect(perUser.every(name => inShard(userLocation(name), shards[i]))).toBe(true);
      expect(perRole.every(name => inShard(`${ACCOUNT}/iam/roles/${name}`, shards[i]))).toBe(true);
      expect(calls.some(c => c.operation === 'ListUsers')).toBe(true);
      for (const operation of ['ListSecrets', 'ListCertificates', 'ListServerCertificates']) {
        expect(calls.some(c => c.operation === operation)).toBe(i === 0);
      }
    }
    expect(sorted(parts.flatMap(p => p.calls.filter(c => c.operation === 'ListAccessKeys').map(c => String(c.params.UserName))))).toEqual(
      sorted(account.users.map(u => u.userName)),
    );
  });

  it('a malformed user record is reported once, and keeps every shard from covering the account\'s access keys', async () => {
    account.users.push(user({ userName: 'broken', createDate: NOW.toISOString(), malformed: true }));
    try {
      const { whole, parts } = await scanShards();
      expect(whole.problems).toHaveLength(1);
      expect(parts.flatMap(p => json(p.problems)).sort()).toEqual(json(whole.problems));
      expect(parts.flatMap(p => described(p.discoveries)).sort()).toEqual(described(whole.discoveries));
      for (const part of parts) expect(part.covered).not.toContain(`${ACCOUNT}/iam/access-keys/`);
      expect(new Set(parts.flatMap(p => p.covered))).toEqual(new Set(whole.covered));
    } finally {
      account.users.pop();
    }
  });
});

describe('a sharded aws-iam source in the real backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'a 3-shard run retires nothing while shard 1 is partial, then exactly the user deleted from another shard and its keys (%s)',
    async databaseId => {
      const account = await largerAccount();
      const emulator = await AwsEmulator.start({ accounts: [account] });
      const { machineIdentity } = awsDemoConfig(emulator);
      const config = { machineIdentity: { ...machineIdentity, sources: machineIdentity.sources.map(s => ({ ...s, shards: COUNT })) } };
      const lines: string[] = [];
      const { backend, scan, identities, states } = await startAwsBackend(emulator, await databases.init(databaseId), lines, config);
      try {
        const first = await scan();
        expect(first).toMatchObject({ status: 'succeeded', retired: 0, errors: [] });
        expect(sorted(lines.map(l => /Scanned AWS account 123456789012 \(eu-west-1\) as shard (\d)\/3/.exec(l)?.[1] ?? '').filter(Boolean))).toEqual(['1', '2', '3']);
        const before = await states();
        expect(Object.values(before).every(state => state === 'active')).toBe(true);

        // A generated user of shard 2 or 3 (with its keys) goes, while ListSecrets (read by shard 1/3 only) fails.
        const gone = account.users.find(u => u.userName.startsWith('svc-team') && !inShard(userLocation(u.userName), shards[0]) && u.accessKeys.length === 2)!;
        account.users.splice(account.users.indexOf(gone), 1);
        const goneIds = (await identities()).filter(i => i.displayName.endsWith(`user/${gone.userName}`) || i.extra?.userName === gone.userName).map(i => i.id);
        expect(goneIds).toHaveLength(3);
        emulator.injectFault({ operation: 'ListSecrets', kind: 'server-error', times: Infinity });
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(partial.errors.map((e: any) => e.location).filter(Boolean)).toEqual([`${ACCOUNT}/eu-west-1/secretsmanager`]);
        expect(await states()).toEqual(before);

        emulator.clearFaults();
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 3 });
        expect(await states()).toEqual({ ...before, ...Object.fromEntries(goneIds.map(id => [id, 'gone'])) });
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0 });
      } finally {
        await backend.stop();
        await emulator.stop();
      }
    },
  );
});
