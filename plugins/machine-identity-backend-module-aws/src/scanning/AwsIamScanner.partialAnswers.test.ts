import { type TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { AwsEmulator, DEMO_AWS_CREDENTIALS, demoAccount } from '@keyring/cloud-emulators/aws';
import { awsDemoConfig } from '../__testUtils__/awsBackend';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';
import { type AnswerRewrite, replacingElement, replacingField, startAnswerRewriter, withoutElement } from '../__testUtils__/startAnswerRewriter';
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

/** Bytes that must never reach a problem message: base64 of `GARBLED`. */
const GARBLE = 'R0FSQkxFRA==';
const GARBLED_PEM = `-----BEGIN CERTIFICATE-----\n${GARBLE}\n-----END CERTIFICATE-----\n`;

/**
 * Calls that answer with the key or certificate, but with a body that cannot
 * be read: AWS still holds it, so an unreadable body is no evidence that it is
 * gone — a problem naming the key or certificate (never its bytes) that keeps
 * its family uncovered, like a partial answer.
 */
const UNREADABLE_BODIES: Array<{ action: string; rewrite: AnswerRewrite; family: string; message: RegExp }> = [
  {
    action: 'GetSSHPublicKey',
    rewrite: replacingElement('SSHPublicKeyBody', `ssh-ed25519 ${GARBLE} garbled@example`),
    family: 'iam/ssh-keys',
    message: /^Skipped IAM SSH public key APKAKEYRINGDEMO00001 of user deploy-bot: its body is not an OpenSSH public key$/,
  },
  {
    action: 'GetServerCertificate',
    rewrite: replacingElement('CertificateBody', GARBLED_PEM),
    family: 'iam/server-certificates',
    message: /^Skipped IAM server certificate legacy-billing-elb: Not a valid X\.509 certificate/,
  },
  {
    action: 'GetCertificate',
    rewrite: replacingField('Certificate', GARBLED_PEM),
    family: 'eu-west-1/acm',
    message: /^Skipped ACM certificate arn:aws:acm:eu-west-1:123456789012:certificate\/\S+: Not a valid X\.509 certificate/,
  },
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

  /** Scans with `rewrite` applied to `action`'s answers and checks the problem and coverage. */
  const expectProblemLeavingUncovered = async (action: string, rewrite: AnswerRewrite, family: string, message: RegExp) => {
    relay.rewrites.set(action, rewrite);
    const { problems, covered } = await runAwsScanner(source());
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map(p => p.message)).toContainEqual(expect.stringMatching(message));
    for (const p of problems) {
      expect(p.incomplete).not.toBe(false);
      expect(p.message).not.toMatch(/Statement|%7B|BEGIN CERTIFICATE|ssh-|R0FSQkxFRA|garbled@/);
    }
    expect(covered).not.toContain(`${ACCOUNT}/${family}/`);
  };

  it('the relay changes nothing by itself', async () => {
    const { problems, covered } = await runAwsScanner(source());
    expect(problems).toEqual([]);
    for (const { family } of [...PARTIAL_ANSWERS, ...UNREADABLE_BODIES]) expect(covered).toContain(`${ACCOUNT}/${family}/`);
  });

  it.each(PARTIAL_ANSWERS)('$action without $drop is a problem and leaves $family uncovered', ({ action, drop, family, message }) =>
    expectProblemLeavingUncovered(action, withoutElement(drop), family, message));

  it.each(UNREADABLE_BODIES)('$action with an unreadable body is a problem and leaves $family uncovered', ({ action, rewrite, family, message }) =>
    expectProblemLeavingUncovered(action, rewrite, family, message));
});

describe('a partial IAM answer in the real backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  /**
   * Scans the demo account through the relay three times — plain, with
   * `rewrites`, plain again — and checks that the second run is partial,
   * records `messages` and, like the third, retires nothing.
   */
  const expectNothingRetired = async (databaseId: TestDatabaseId, rewrites: Record<string, AnswerRewrite>, messages: RegExp[], seen: (types: string[]) => void) => {
    const emulator = await AwsEmulator.start({ accounts: [await demoAccount()] });
    const relay = await startAnswerRewriter(emulator.endpoint);
    const { backend, scan, states, identities } = await startAwsBackend(emulator, await databases.init(databaseId), [], awsDemoConfig({ endpoint: relay.endpoint } as AwsEmulator));
    try {
      expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0, errors: [] });
      seen((await identities()).map(i => i.type));
      const before = await states();
      expect(Object.values(before).every(state => state === 'active')).toBe(true);

      for (const [action, rewrite] of Object.entries(rewrites)) relay.rewrites.set(action, rewrite);
      const partial = await scan();
      expect(partial).toMatchObject({ status: 'partial', retired: 0 });
      for (const message of messages) expect(partial.errors.map((e: any) => e.message)).toContainEqual(expect.stringMatching(message));
      expect(await states()).toEqual(before);

      relay.rewrites.clear();
      expect(await scan()).toMatchObject({ status: 'succeeded', retired: 0, errors: [] });
      expect(await states()).toEqual(before);
    } finally {
      await backend.stop();
      await relay.stop();
      await emulator.stop();
    }
  };

  it.each(databases.eachSupportedId())(
    'GetPolicy without a DefaultVersionId retires none of the users and roles it was read for, and records a problem (%s)',
    databaseId => expectNothingRetired(
      databaseId,
      { GetPolicy: withoutElement('DefaultVersionId') },
      [/^GetPolicy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess for (user|role) \S+ answered without a DefaultVersionId$/],
      types => expect(types).toContain('service-account'),
    ),
  );

  it.each(databases.eachSupportedId())(
    'an SSH key, server certificate and ACM certificates seen before stay active when their bodies come back unreadable, and the run records each (%s)',
    databaseId => expectNothingRetired(
      databaseId,
      Object.fromEntries(UNREADABLE_BODIES.map(({ action, rewrite }) => [action, rewrite])),
      UNREADABLE_BODIES.map(({ message }) => message),
      types => {
        expect(types).toContain('ssh-key');
        expect(types.filter(t => t === 'tls-certificate').length).toBeGreaterThanOrEqual(3);
      },
    ),
  );
});
