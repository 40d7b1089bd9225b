import {
  AwsEmulator,
  DEMO_AWS_CREDENTIALS,
  addGeneratedUsers,
  demoAccount,
  user,
  type EmulatedAccount,
} from '@keyring/cloud-emulators/aws';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';

const NOW = new Date();

describe('AwsIamScanner against the AWS emulator', () => {
  let emulator: AwsEmulator;
  let account: EmulatedAccount;
  const source = () => ({
    accounts: [{ accountId: '123456789012', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS }],
  });

  beforeAll(async () => {
    account = await demoAccount(NOW);
    emulator = await AwsEmulator.start({ accounts: [account] });
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clearFaults());

  it('discovers users, access keys, SSH keys, roles, server and ACM certificates and secrets with their facts', async () => {
    const { discoveries, problems, covered, logs } = await runAwsScanner(source());
    expect(problems).toEqual([]);
    const byType = (t: string) => discoveries.filter(d => d.type === t).map(d => d.displayName).sort();
    expect(byType('service-account')).toEqual([
      'arn:aws:iam::123456789012:user/deploy-bot',
      'arn:aws:iam::123456789012:user/svc-billing-export',
      'arn:aws:iam::123456789012:user/svc-payments-api',
    ]);
    expect(byType('api-token')).toHaveLength(4);
    expect(byType('workload-identity')).toEqual([
      'arn:aws:iam::123456789012:role/admin-breakglass',
      'arn:aws:iam::123456789012:role/payments-api-ec2',
    ]);
    expect(byType('secret')).toEqual(['billing/partner-api-key', 'payments/db-password']);
    // The IAM server certificate and both ACM certificates (EC keys: listed only because the scanner asks for every key type).
    expect(byType('tls-certificate')).toEqual(['api.payments.example.test', 'billing.example.test', 'reports.example.test']);
    expect(byType('ssh-key')).toEqual(['deploy-bot@codecommit']);

    const stale = discoveries.find(d => d.type === 'api-token' && d.displayName.includes('svc-billing-export') && d.details?.status === 'Active')!;
    expect(stale.attributes).toMatchObject({
      lastUsedAt: new Date(NOW.getTime() - 212 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      extra: { lastUsedService: 's3', lastUsedRegion: 'eu-west-1', status: 'Active', neverUsed: false },
    });
    expect(stale.location).toMatch(/^123456789012\/iam\/access-keys\/svc-billing-export\/AKIA/);
    const neverUsed = discoveries.find(d => d.type === 'api-token' && d.displayName.includes('deploy-bot'))!;
    expect(neverUsed.attributes.lastUsedAt).toBeUndefined();
    expect(neverUsed.attributes.extra).toMatchObject({ neverUsed: true });

    const admin = discoveries.find(d => d.displayName.endsWith('role/admin-breakglass'))!;
    expect(admin.attributes).toMatchObject({ privileged: true, privilegedReason: 'attached policy AdministratorAccess' });
    expect(admin.attributes.extra).toMatchObject({ trustedPrincipals: 'AWS:arn:aws:iam::123456789012:root', lastUsedRegion: 'eu-west-1' });
    const bot = discoveries.find(d => d.displayName.endsWith('user/deploy-bot'))!;
    expect(bot.attributes).toMatchObject({ privileged: true, privilegedReason: 'inline policy deploy-everything allows *:*', staticKeys: 1 });
    // Privilege granted through a group counts too.
    const grouped = discoveries.find(d => d.displayName.endsWith('user/svc-billing-export'))!;
    expect(grouped.attributes).toMatchObject({ privileged: true, privilegedReason: 'group billing-ops: inline policy manage-users allows iam:*' });
    expect(grouped.attributes.scopes).toEqual(['AmazonS3ReadOnlyAccess', 'group:billing-ops']);
    expect(discoveries.find(d => d.displayName.endsWith('user/svc-payments-api'))!.attributes.privileged).toBeUndefined();
    const workload = discoveries.find(d => d.displayName.endsWith('role/payments-api-ec2'))!;
    expect(workload.attributes.privileged).toBeUndefined();
    expect(workload.attributes.extra?.trustedPrincipals).toBe('Service:ec2.amazonaws.com');

    const rotated = discoveries.find(d => d.displayName === 'payments/db-password')!;
    expect(rotated).toMatchObject({ management: 'automated', attributes: { rotation: { enabled: true, lastRotatedAt: expect.any(String) } } });
    const unrotated = discoveries.find(d => d.displayName === 'billing/partner-api-key')!;
    expect(unrotated).toMatchObject({ management: 'manual', attributes: { rotation: { enabled: false } } });
    const amazon = discoveries.find(d => d.displayName === 'api.payments.example.test')!;
    expect(amazon).toMatchObject({ management: 'automated', attributes: { extra: { acmType: 'AMAZON_ISSUED', renewalEligibility: 'ELIGIBLE' } } });
    expect(discoveries.find(d => d.displayName === 'reports.example.test')!.management).toBe('manual');

    expect(covered.sort()).toEqual([
      '123456789012/eu-west-1/acm/',
      '123456789012/eu-west-1/secretsmanager/',
      '123456789012/iam/access-keys/',
      '123456789012/iam/access-keys/deploy-bot/',
      '123456789012/iam/access-keys/svc-billing-export/',
      '123456789012/iam/access-keys/svc-payments-api/',
      '123456789012/iam/roles/',
      '123456789012/iam/server-certificates/',
      '123456789012/iam/ssh-keys/',
      '123456789012/iam/ssh-keys/deploy-bot/',
      '123456789012/iam/ssh-keys/svc-billing-export/',
      '123456789012/iam/ssh-keys/svc-payments-api/',
      '123456789012/iam/users/',
    ]);
    expect(logs.join('\n')).toMatch(/Scanned AWS account 123456789012 \(eu-west-1\): 3 IAM users, 4 access keys, 1 SSH keys, 2 roles/);
    expect(emulator.callCount('GetSecretValue')).toBe(0);
  });

  it('takes ownership from the keyring.io/owner and keyring.io/component tags', async () => {
    const { discoveries } = await runAwsScanner(source());
    const user = discoveries.find(d => d.displayName.endsWith('user/svc-payments-api'))!;
    expect(user.ownerHint).toEqual({
      owner: 'group:default/payments',
      component: 'payments-api',
      via: 'aws tags keyring.io/owner=group:default/payments, keyring.io/component=payments-api on IAM user svc-payments-api',
    });
    expect(user.links).toEqual({ awsIamUsers: ['svc-payments-api', 'arn:aws:iam::123456789012:user/svc-payments-api'] });
    const key = discoveries.find(d => d.type === 'api-token' && d.displayName.includes('svc-payments-api'))!;
    expect(key.ownerHint?.owner).toBe('group:default/payments');
    expect(discoveries.find(d => d.displayName.endsWith('role/payments-api-ec2'))!.ownerHint).toMatchObject({ component: 'payments-api' });
    expect(discoveries.find(d => d.displayName.endsWith('user/deploy-bot'))!.ownerHint).toBeUndefined();
  });

  it('pages through several pages of users and keeps going through short throttling bursts', async () => {
    const big = await demoAccount(NOW);
    big.accountId = '210987654321';
    big.callers = [{ accessKeyId: 'AKIAPAGINGTEST000001', secretAccessKey: 'paging-secret', arn: 'arn:aws:iam::210987654321:user/scanner' }];
    addGeneratedUsers(big, 230, NOW);
    emulator.accounts.push(big);
    try {
      emulator.injectFault({ operation: 'ListUsers', kind: 'throttle', times: 1, after: 1 });
      emulator.injectFault({ operation: 'GetAccessKeyLastUsed', kind: 'throttle', times: 2 });
      const before = emulator.callCount('ListUsers');
      const { discoveries, problems } = await runAwsScanner({
        accounts: [{ accountId: '210987654321', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'AKIAPAGINGTEST000001', secretAccessKey: 'paging-secret' } }],
      });
      expect(problems).toEqual([]);
      expect(discoveries.filter(d => d.type === 'service-account')).toHaveLength(233);
      // 3 pages of 100, plus the throttled retry.
      expect(emulator.callCount('ListUsers') - before).toBe(4);
    } finally {
      emulator.accounts.pop();
    }
  });

  it('reports a page that still fails after the SDK retries as an incomplete problem and covers nothing of that family', async () => {
    emulator.injectFault({ operation: 'ListRoles', kind: 'server-error', times: 3 });
    emulator.injectFault({ operation: 'ListAccessKeys', kind: 'throttle', times: 3, params: { UserName: 'svc-payments-api' } });
    const { discoveries, problems, covered } = await runAwsScanner(source());
    expect(problems).toEqual([
      expect.objectContaining({ location: '123456789012/iam/users/svc-payments-api', message: expect.stringMatching(/^ListAccessKeys failed after 0 items: ThrottlingException|^ListAccessKeys failed after 0 items: Throttling/) }),
      expect.objectContaining({ location: '123456789012/iam/roles', message: expect.stringMatching(/^ListRoles failed after 0 roles: ServiceFailure.*\(HTTP 500, 3 attempts\)/) }),
    ]);
    expect(problems.every(p => p.incomplete !== false)).toBe(true);
    // The user whose keys could not be listed is not reported with a wrong key count; the others are.
    expect(discoveries.filter(d => d.type === 'service-account').map(d => d.details?.userName).sort()).toEqual(['deploy-bot', 'svc-billing-export']);
    expect(covered).not.toContain('123456789012/iam/roles/');
    expect(covered).not.toContain('123456789012/iam/access-keys/');
    expect(covered).not.toContain('123456789012/iam/access-keys/svc-payments-api/');
    expect(covered).toContain('123456789012/iam/access-keys/deploy-bot/');
    expect(covered).toContain('123456789012/iam/users/');
  });

  it('does not write a user whose group policies could not be read (its privilege would be wrong)', async () => {
    emulator.injectFault({ operation: 'ListGroupPolicies', kind: 'server-error', times: 3 });
    const { discoveries, problems, covered } = await runAwsScanner(source());
    expect(problems).toEqual([
      expect.objectContaining({ location: '123456789012/iam/groups/billing-ops', message: expect.stringMatching(/^ListGroupPolicies failed after 0 items: ServiceFailure/) }),
    ]);
    expect(discoveries.some(d => d.displayName.endsWith('user/svc-billing-export'))).toBe(false);
    expect(discoveries.some(d => d.type === 'api-token' && d.displayName.includes('svc-billing-export'))).toBe(true);
    expect(covered).not.toContain('123456789012/iam/users/');
  });

  it('reports a truncated response and a malformed user record, and carries on', async () => {
    account.users.push(user({ userName: 'broken', createDate: NOW.toISOString(), malformed: true }));
    emulator.injectFault({ operation: 'ListSecrets', kind: 'malformed' });
    try {
      const { discoveries, problems, covered } = await runAwsScanner(source());
      expect(problems).toEqual([
        { location: '123456789012/iam/users', message: expect.stringMatching(/^Skipped a malformed IAM user record/), incomplete: false },
        { location: '123456789012/eu-west-1/secretsmanager', message: expect.stringMatching(/^ListSecrets failed after 0 secrets/) },
      ]);
      expect(discoveries.filter(d => d.type === 'service-account')).toHaveLength(3);
      expect(covered).not.toContain('123456789012/eu-west-1/secretsmanager/');
      // The unnamed user's keys cannot be listed: keys are covered per user only.
      expect(covered).not.toContain('123456789012/iam/access-keys/');
    } finally {
      account.users.pop();
    }
  });

  it('never carries a secret access key or a secret value, and never calls GetSecretValue', async () => {
    const { discoveries, logs, problems } = await runAwsScanner(source());
    const text = JSON.stringify({ discoveries, logs, problems });
    for (const u of account.users) for (const k of u.accessKeys) {
      expect(text).not.toContain(k.secretAccessKey);
      expect(text).toContain(k.accessKeyId); // the identifier is kept, the secret never is
    }
    for (const s of account.secrets) expect(text).not.toContain(s.secretString);
    expect(text).not.toContain(DEMO_AWS_CREDENTIALS.secretAccessKey);
    expect(emulator.callCount('GetSecretValue')).toBe(0);
  });
});
