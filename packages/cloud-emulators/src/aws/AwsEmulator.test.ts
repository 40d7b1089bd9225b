import { readFileSync } from 'node:fs';
import {
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsEmulator } from './AwsEmulator';
import { addGeneratedUsers, emptyAccount, user } from './estates';

const FIXTURES = '/work/shared/corpora/botocore-iam/responses';
const fixture = (name: string) => JSON.parse(readFileSync(`${FIXTURES}/${name}.json`, 'utf8'));
const creds = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'emulator-test-secret' };

describe('AwsEmulator', () => {
  let emulator: AwsEmulator;
  let iam: IAMClient;
  const account = emptyAccount({ accountId: '123456789012', region: 'eu-west-1', ...creds });

  beforeAll(async () => {
    // botocore's ListUsers / ListAccessKeys fixtures, seeded as the estate.
    for (const u of fixture('iam-list-users').Users) {
      account.users.push(user({ userName: u.UserName, userId: u.UserId, path: u.Path, createDate: '2020-01-01T00:00:00Z' }));
    }
    const bob = user({ userName: 'Bob', createDate: '2020-01-01T00:00:00Z' });
    for (const k of fixture('iam-list-access-keys').AccessKeyMetadata) {
      bob.accessKeys.push({ accessKeyId: k.AccessKeyId, secretAccessKey: 'x', status: k.Status, createDate: '2020-01-02T00:00:00Z' });
    }
    account.users.push(bob);
    emulator = await AwsEmulator.start({ accounts: [account] });
    iam = new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: creds });
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clearFaults());

  it('answers ListUsers and ListAccessKeys so the real SDK parses what botocore parses from the published fixtures', async () => {
    const users = await iam.send(new ListUsersCommand({ PathPrefix: '/division_abc/' }));
    const expected = fixture('iam-list-users').Users.map((u: any) => ({ ...u, Arn: u.Arn.replace(/\s+/g, '') }));
    expect(users.Users!.map(({ CreateDate: _created, ...u }) => u)).toEqual(expected);
    expect(users.IsTruncated).toBe(false);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'Bob' }));
    expect(keys.AccessKeyMetadata!.map(({ CreateDate: _created, ...k }) => k)).toEqual(fixture('iam-list-access-keys').AccessKeyMetadata);
  });

  it('returns the error XML of the published fixture for an unknown user', async () => {
    const error = await iam.send(new GetUserCommand({ UserName: 'foobar' })).catch(e => e);
    expect(error.name).toBe('NoSuchEntityException'); // the SDK's class for the wire code NoSuchEntity
    expect(error.message).toBe('The user with name foobar cannot be found.');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('pages with Marker and IsTruncated', async () => {
    const big = emptyAccount({ accountId: '210987654321', region: 'eu-west-1', accessKeyId: 'AKIAEMULATORTEST0002', secretAccessKey: 's2' });
    addGeneratedUsers(big, 250);
    emulator.accounts.push(big);
    try {
      const client = new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAEMULATORTEST0002', secretAccessKey: 's2' } });
      const first = await client.send(new ListUsersCommand({ MaxItems: 100 }));
      expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
      const pages: number[] = [];
      for await (const p of paginateListUsers({ client, pageSize: 100 }, {})) pages.push(p.Users!.length);
      expect(pages).toEqual([100, 100, 50]);
    } finally {
      emulator.accounts.pop();
    }
  });

  it('throttles and fails with 5xx as injected; the SDK retries through a short burst', async () => {
    emulator.injectFault({ operation: 'ListUsers', kind: 'throttle', times: 1 });
    const recovered = await iam.send(new ListUsersCommand({}));
    expect(recovered.$metadata.attempts).toBe(2);
    emulator.injectFault({ operation: 'ListUsers', kind: 'server-error', times: 5 });
    const failed = await iam.send(new ListUsersCommand({})).catch(e => e);
    expect(failed.name).toBe('ServiceFailureException');
    expect(failed.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
  });

  it('serves a truncated body when a malformed response is injected', async () => {
    emulator.injectFault({ operation: 'ListUsers', kind: 'malformed' });
    await expect(iam.send(new ListUsersCommand({}))).rejects.toThrow();
  });

  it('verifies Signature Version 4: a wrong secret is refused', async () => {
    const wrong = new IAMClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { ...creds, secretAccessKey: 'wrong' } });
    const error = await wrong.send(new ListUsersCommand({})).catch(e => e);
    expect(error.name).toBe('SignatureDoesNotMatch');
  });

  it('refuses GetSecretValue loudly and counts the attempt', async () => {
    const sm = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'eu-west-1', credentials: creds });
    const before = emulator.callCount('GetSecretValue');
    const error = await sm.send(new GetSecretValueCommand({ SecretId: 'anything' })).catch(e => e);
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(/refused by the Keyring AWS emulator/);
    expect(emulator.callCount('GetSecretValue')).toBe(before + 1);
  });

  it('binds to loopback only', async () => {
    await expect(AwsEmulator.start({ accounts: [], host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});
