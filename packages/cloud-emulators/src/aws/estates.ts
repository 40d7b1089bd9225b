import { randomBytes } from 'node:crypto';
import type {
  AwsTag,
  EmulatedAccessKey,
  EmulatedAccount,
  EmulatedManagedPolicy,
  EmulatedRole,
  EmulatedUser,
} from './types';

const DAY = 86_400_000;

/** ISO-8601 (seconds precision, as IAM serves dates) `days` before `now`. */
export function daysAgo(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

let sequence = 0;
const id = (prefix: string, width = 16) =>
  `${prefix}${(++sequence).toString(36).toUpperCase().padStart(width, '0')}`.slice(0, prefix.length + width);

/** AWS-managed policies the estates attach (documents as AWS publishes them, abridged). */
export const AWS_MANAGED_POLICIES: EmulatedManagedPolicy[] = [
  {
    arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    policyName: 'AdministratorAccess',
    policyId: 'ANPAIWMBCKSKIEE64ZLYK',
    path: '/',
    defaultVersionId: 'v1',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    createDate: '2015-02-06T18:39:46Z',
  },
  {
    arn: 'arn:aws:iam::aws:policy/IAMFullAccess',
    policyName: 'IAMFullAccess',
    policyId: 'ANPAI7XKCFMBPM3QQRRVQ',
    path: '/',
    defaultVersionId: 'v2',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount'], Resource: '*' }] },
    createDate: '2015-02-06T18:40:38Z',
  },
  {
    arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    policyName: 'AmazonS3ReadOnlyAccess',
    policyId: 'ANPAIZTJ4DXE7G6AGAE6M',
    path: '/',
    defaultVersionId: 'v3',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }] },
    createDate: '2015-02-06T18:40:59Z',
  },
];

/** An empty account that accepts the given credentials. */
export function emptyAccount(options: {
  accountId: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}): EmulatedAccount {
  return {
    accountId: options.accountId,
    region: options.region,
    users: [],
    roles: [],
    policies: AWS_MANAGED_POLICIES.map(p => ({ ...p })),
    serverCertificates: [],
    secrets: [],
    certificates: [],
    callers: [
      {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
        arn: `arn:aws:iam::${options.accountId}:user/keyring-scanner`,
      },
    ],
  };
}

/** An access key with a fresh random secret (which the emulator never serves). */
export function accessKey(options: Partial<EmulatedAccessKey> & { createDate: string }): EmulatedAccessKey {
  return {
    accessKeyId: options.accessKeyId ?? id('AKIA'),
    secretAccessKey: options.secretAccessKey ?? randomBytes(30).toString('base64'),
    status: options.status ?? 'Active',
    createDate: options.createDate,
    lastUsed: options.lastUsed,
  };
}

/** An IAM user; lists default to empty. */
export function user(options: Partial<EmulatedUser> & { userName: string; createDate: string }): EmulatedUser {
  return {
    userId: id('AIDA', 17),
    path: '/',
    tags: [],
    accessKeys: [],
    attachedPolicies: [],
    inlinePolicies: {},
    sshPublicKeys: [],
    ...options,
  };
}

/** An IAM role trusted by `principal` (a service such as `ec2.amazonaws.com`, or an AWS ARN). */
export function role(
  options: Partial<EmulatedRole> & { roleName: string; createDate: string; principal?: Record<string, string | string[]> },
): EmulatedRole {
  const { principal, ...rest } = options;
  return {
    roleId: id('AROA', 17),
    path: '/',
    tags: [],
    attachedPolicies: [],
    inlinePolicies: {},
    assumeRolePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: principal ?? { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    ...rest,
  };
}

/** `keyring.io/owner` / `keyring.io/component` tags (plus any others). */
export function ownerTags(owner?: string, component?: string, extra: AwsTag[] = []): AwsTag[] {
  return [
    ...(owner ? [{ Key: 'keyring.io/owner', Value: owner }] : []),
    ...(component ? [{ Key: 'keyring.io/component', Value: component }] : []),
    ...extra,
  ];
}

/**
 * Adds `count` IAM users cheaply (for the bench): one access key each (every
 * fifth user has a second, inactive one), an owner tag on every third user
 * and a read-only managed policy on every other one. No inline policies or
 * SSH keys, so each user costs a fixed number of calls.
 */
export function addGeneratedUsers(account: EmulatedAccount, count: number, now = new Date()): void {
  const s3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
  for (let i = 0; i < count; i++) {
    const keys = [accessKey({ createDate: daysAgo(now, (i % 400) + 1), lastUsed: i % 7 === 0 ? undefined : { date: daysAgo(now, i % 120), service: 's3', region: account.region } })];
    if (i % 5 === 0) keys.push(accessKey({ createDate: daysAgo(now, (i % 300) + 30), status: 'Inactive' }));
    account.users.push(
      user({
        userName: `svc-team${i % 50}-worker${i}`,
        createDate: daysAgo(now, (i % 400) + 2),
        accessKeys: keys,
        tags: i % 3 === 0 ? ownerTags(`group:default/team${i % 50}`) : [],
        attachedPolicies: i % 2 === 0 ? [s3] : [],
      }),
    );
  }
}
