import { ConfigReader } from '@backstage/config';
import { AwsEmulator, DEMO_AWS_CREDENTIALS, demoAccount } from '@keyring/cloud-emulators/aws';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';
import { readAwsAccounts } from './readAwsAccounts';

const read = (accounts: unknown) => readAwsAccounts(new ConfigReader({ accounts } as never), 'aws-test');

describe('readAwsAccounts', () => {
  it('reads accounts with static credentials, a role or the default chain', () => {
    expect(read([
      { accountId: '123456789012', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' } },
      { accountId: '210987654321', region: 'us-gov-west-1', roleArn: 'arn:aws:iam::210987654321:role/keyring-scanner' },
      { accountId: '111111111111', region: 'ap-southeast-2' },
    ])).toEqual([
      { accountId: '123456789012', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's' }, roleArn: undefined },
      { accountId: '210987654321', region: 'us-gov-west-1', endpoint: undefined, credentials: undefined, roleArn: 'arn:aws:iam::210987654321:role/keyring-scanner' },
      { accountId: '111111111111', region: 'ap-southeast-2', endpoint: undefined, credentials: undefined, roleArn: undefined },
    ]);
  });

  it('refuses what would scan the wrong place or with half credentials', () => {
    expect(() => read([])).toThrow(/at least one entry in accounts/);
    expect(() => read([{ accountId: '12345', region: 'eu-west-1' }])).toThrow(/accountId must be 12 digits/);
    expect(() => read([{ accountId: '123456789012', region: 'Europe' }])).toThrow(/invalid region "Europe"/);
    expect(() => read([{ accountId: '123456789012', region: 'eu-west-1', credentials: { accessKeyId: 'AKIA1' } }])).toThrow(/both accessKeyId and secretAccessKey/);
    expect(() => read([{ accountId: '123456789012', region: 'eu-west-1', roleArn: 'keyring' }])).toThrow(/not an IAM role ARN/);
    expect(() => read([{ accountId: '123456789012', region: 'eu-west-1' }, { accountId: '123456789012', region: 'eu-west-1' }])).toThrow(/listed twice/);
  });

  it('assumes roleArn through STS (AssumeRole on the emulator) and scans with the session credentials', async () => {
    const account = await demoAccount();
    const emulator = await AwsEmulator.start({ accounts: [account] });
    try {
      const { discoveries, problems } = await runAwsScanner({
        accounts: [{ accountId: '123456789012', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS, roleArn: 'arn:aws:iam::123456789012:role/payments-api-ec2' }],
      });
      expect(problems).toEqual([]);
      expect(discoveries).toHaveLength(15);
      expect(emulator.callCount('AssumeRole')).toBe(1);
      const session = account.callers.find(c => c.sessionToken)!;
      expect(session.arn).toBe('arn:aws:sts::123456789012:assumed-role/payments-api-ec2/keyring-scanner');
      expect(emulator.calls.filter(c => c.operation === 'ListUsers').map(c => c.accessKeyId)).toEqual([session.accessKeyId]);
    } finally {
      await emulator.stop();
    }
  });
});
