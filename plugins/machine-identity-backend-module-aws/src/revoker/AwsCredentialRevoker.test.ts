import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { mockServices } from '@backstage/backend-test-utils';
import { AwsEmulator, DEMO_AWS_CREDENTIALS, demoAccount, type EmulatedAccount } from '@keyring/cloud-emulators/aws';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { RevocationTarget } from '@keyring/plugin-machine-identity-node';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';
import { AccessKeyDeletionSweep } from './AccessKeyDeletionSweep';
import { AwsCredentialRevoker } from './AwsCredentialRevoker';

const DAY = 86_400_000;
const T0 = new Date('2026-12-01T12:00:00Z');

describe('AwsCredentialRevoker against the AWS emulator', () => {
  let emulator: AwsEmulator;
  let account: EmulatedAccount;
  let sourceData: JsonObject;
  const context = { logger: mockServices.logger.mock(), signal: new AbortController().signal };

  beforeEach(async () => {
    account = await demoAccount(T0);
    emulator = await AwsEmulator.start({ accounts: [account] });
    sourceData = {
      id: 'aws-demo',
      type: 'aws-iam',
      accounts: [{ accountId: '123456789012', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS }],
    };
  });
  afterEach(() => emulator.stop());

  /** A revocation target built from what the scanner reports for `displayName`. */
  async function targetFor(match: (d: { displayName: string; type: string }) => boolean): Promise<RevocationTarget> {
    const { discoveries } = await runAwsScanner(sourceData);
    const d = discoveries.find(match)!;
    const identity = { ...d.attributes, id: `${d.type}:${d.fingerprintSha256}`, type: d.type, displayName: d.displayName } as Identity;
    return {
      requestId: 'rev-1',
      reason: 'component decommissioned',
      identity,
      observations: [{ sourceId: 'aws-demo', location: d.location, firstSeen: '', lastSeen: '', details: d.details, source: { id: 'aws-demo', type: 'aws-iam', config: new ConfigReader(sourceData) } }],
    };
  }

  const billingKey = () => account.users.find(u => u.userName === 'svc-billing-export')!.accessKeys[0];

  it('deactivates an access key at once and deletes it only after the holding period', async () => {
    let now = T0;
    const revoker = AwsCredentialRevoker.create({ holdingPeriodMs: 7 * DAY, now: () => now });
    const key = billingKey();
    const target = await targetFor(d => d.type === 'api-token' && d.displayName.startsWith(key.accessKeyId));
    expect(revoker.canRevoke(target)).toBe(true);

    const first = await revoker.revoke(target, context);
    expect(first).toMatchObject({ outcome: 'executed', details: { accessKeyId: key.accessKeyId, deactivatedAt: T0.toISOString(), deleteAfter: new Date(T0.getTime() + 7 * DAY).toISOString() } });
    expect(billingKey()).toMatchObject({ accessKeyId: key.accessKeyId, status: 'Inactive' });

    now = new Date(T0.getTime() + 7 * DAY - 1000);
    await revoker.revoke(target, context);
    expect(billingKey().accessKeyId).toBe(key.accessKeyId); // one second early: still there

    now = new Date(T0.getTime() + 7 * DAY);
    const last = await revoker.revoke(target, context);
    expect(last).toMatchObject({ outcome: 'executed', details: { deleted: true } });
    const user = account.users.find(u => u.userName === 'svc-billing-export')!;
    expect(user.accessKeys.map(k => k.accessKeyId)).not.toContain(key.accessKeyId);
    expect(user.tags.map(t => t.Key)).not.toContain(`keyring.io/deactivated/${key.accessKeyId}`);
    expect(emulator.callCount('DeleteAccessKey')).toBe(1);

    // The re-scan that verifies the revocation no longer sees the key.
    const { discoveries } = await runAwsScanner(sourceData);
    expect(discoveries.some(d => d.displayName.startsWith(key.accessKeyId))).toBe(false);
  });

  it('lets the scheduled sweep delete keys whose holding period is over', async () => {
    let now = T0;
    const revoker = AwsCredentialRevoker.create({ holdingPeriodMs: 2 * DAY, now: () => now });
    const key = billingKey();
    await revoker.revoke(await targetFor(d => d.displayName.startsWith(key.accessKeyId)), context);
    const sweep = new AccessKeyDeletionSweep(revoker, mockServices.logger.mock());
    const config = new ConfigReader({ machineIdentity: { sources: [sourceData] } });
    expect(await sweep.sweep(config)).toEqual([]);
    now = new Date(T0.getTime() + 2 * DAY);
    expect(await sweep.sweep(config)).toEqual([key.accessKeyId]);
    expect(billingKey()?.accessKeyId).not.toBe(key.accessKeyId);
  });

  it('detaches the managed policies of a role', async () => {
    const revoker = AwsCredentialRevoker.create({ holdingPeriodMs: DAY });
    const target = await targetFor(d => d.displayName.endsWith('role/admin-breakglass'));
    expect(revoker.canRevoke(target)).toBe(true);
    const outcome = await revoker.revoke(target, context);
    expect(outcome).toMatchObject({ outcome: 'executed', details: { roleName: 'admin-breakglass', detachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } });
    expect(account.roles.find(r => r.roleName === 'admin-breakglass')!.attachedPolicies).toEqual([]);
  });

  it('throws and changes nothing when AWS refuses, and declines targets that are not from aws-iam', async () => {
    const revoker = AwsCredentialRevoker.create({ holdingPeriodMs: DAY });
    const key = billingKey();
    const target = await targetFor(d => d.displayName.startsWith(key.accessKeyId));
    emulator.injectFault({ operation: 'UpdateAccessKey', kind: 'server-error', times: 3 });
    await expect(revoker.revoke(target, context)).rejects.toThrow();
    expect(billingKey().status).toBe('Active');
    expect(account.users.find(u => u.userName === 'svc-billing-export')!.tags.map(t => t.Key)).not.toContain(`keyring.io/deactivated/${key.accessKeyId}`);
    expect(revoker.canRevoke({ ...target, observations: target.observations.map(o => ({ ...o, source: { ...o.source!, type: 'ssh-files' } })) })).toBe(false);
  });
});
