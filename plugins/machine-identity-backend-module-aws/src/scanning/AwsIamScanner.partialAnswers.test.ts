import { TestDatabases } from '@backstage/backend-test-utils';
import { AwsEmulator, DEMO_AWS_CREDENTIALS, demoAccount } from '@keyring/cloud-emulators/aws';
import { awsDemoConfig } from '../__testUtils__/awsBackend';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';
import { startAnswerRewriter, withoutElement } from '../__testUtils__/startAnswerRewriter';
import { startAwsBackend } from '../__testUtils__/startAwsBackend';

const ACCOUNT = '123456789012';

/**
 * Calls that succeed (HTTP 200) but answer without the part the scanner
 * needs: each must be a problem naming the call and whom it was for, and
 * keep its family uncovered so nothing of it is retired.
 */
const PARTIAL_ANSWERS = [
  { action: 'GetPolicy', drop: 'DefaultVersionId', family: 'iam/users', message: /^GetPolicy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess for user \S+ answered without a DefaultVersionId$/ },
  { action: 'GetPolicyVersion', drop: 'Document', family: 'iam/roles', message: /^GetPolicyVersion arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess v\d+ for role \S+ answered without a policy document$/ },
  { action: 'GetUserPolicy', drop: 'PolicyDocument', family: 'iam/users', message: /^GetUserPolicy deploy-everything for user deploy-bot answered without a policy document$/ },
  { action: 'GetGroupPolicy', drop: 'PolicyDocument', family: 'iam/users', message: /^GetGroupPolicy manage-users of group billing-ops for user svc-billing-export answered without a policy document$/ },
  { action: 'GetRole', drop: 'Role', family: 'iam/roles', message: /^GetRole for role \S+ answered without a Role$/ },
  { action: 'GetRolePolicy', drop: 'PolicyDocument', family: 'iam/roles', message: /^GetRolePolicy read-queue for role payments-api-ec2 answered without a policy document$/ },
  { action: 'GetSSHPublicKey', drop: 'SSHPublicKey', family: 'iam/ssh-keys', message: /^GetSSHPublicKey \S+ for user deploy-bot answered without an SSHPublicKey$/ },
  { action: 'GetServerCertificate', drop: 'CertificateBody', family: 'iam/server-certificates', message: /^GetServerCertificate \S+ answered without a CertificateBody$/ },
];

describe('AwsIamScanner given partial answers', () => {
  let emulator: AwsEmulator;
  let relay: Awaited<ReturnType<typeof startAnswerRewriter>>;
  const source = () => ({ accounts: [{ accountId: ACCOUNT, region: 'eu-west-1', endpoint: relay.endpoint, credentials: DEMO_AWS_CREDENTIALS }] });

  beforeAll(async () => {
    emulator = await AwsEmulator.start({ accounts: [await demoAccount()] });
    relay = await startAnswerRewriter(emulator.endpoint);
  });
  afterAll(async () => {
    await relay.stop();
    await emulator.stop();
  });
  afterEach(() => relay.rewrites.clear());

  it('the relay changes nothing by itself', async () => {
    const { problems, covered } = await runAwsScanner(source());
    expect(problems).toEqual([]);
    for (const { family } of PARTIAL_ANSWERS) expect(covered).toContain(`${ACCOUNT}/${family}/`);
  });

  it.each(PARTIAL_ANSWERS)('$action without $drop is a problem and leaves $family uncovered', async ({ action, drop, family, message }) => {
    relay.rewrites.set(action, withoutElement(drop));
    const { problems, covered } = await runAwsScanner(source());
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map(p => p.message)).toContainEqual(expect.stringMatching(message));
    for (const p of problems) expect(p.message).not.toMatch(/Statement|%7B|BEGIN CERTIFICATE|ssh-/);
    expect(covered).not.toContain(`${ACCOUNT}/${family}/`);
  });
});

describe('a partial IAM answer in the real backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'GetPolicy without a DefaultVersionId retires none of the users and roles it was read for, and records a problem (%s)',
    async databaseId => {
      const emulator = await AwsEmulator.start({ accounts: [await demoAccount()] });
      const relay = await startAnswerRewriter(emulator.endpoint);
      const { backend, scan, states } = await startAwsBackend(emulator, await databases.init(databaseId), [], awsDemoConfig({ endpoint: relay.endpoint } as AwsEmulator));
      try {
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0, errors: [] });
        const before = await states();
        expect(Object.values(before).every(state => state === 'active')).toBe(true);

        relay.rewrites.set('GetPolicy', withoutElement('DefaultVersionId'));
        const partial = await scan();
        expect(partial).toMatchObject({ status: 'partial', retired: 0 });
        expect(partial.errors.map((e: any) => e.message)).toContainEqual(expect.stringMatching(/^GetPolicy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess for (user|role) \S+ answered without a DefaultVersionId$/));
        expect(await states()).toEqual(before);

        relay.rewrites.clear();
        expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0, errors: [] });
        expect(await states()).toEqual(before);
      } finally {
        await backend.stop();
        await relay.stop();
        await emulator.stop();
      }
    },
  );
});
