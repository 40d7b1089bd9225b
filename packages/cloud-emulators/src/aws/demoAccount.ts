import { accessKey, daysAgo, emptyAccount, ownerTags, role, user } from './estates';
import { selfSignedCertificatePem, sshEd25519PublicKey } from './material';
import type { EmulatedAccount } from './types';

/** Credentials the demo account accepts (emulator-only, not AWS credentials). */
export const DEMO_AWS_CREDENTIALS = {
  accessKeyId: 'AKIAKEYRINGDEMO00001',
  secretAccessKey: 'keyring-demo-emulator-secret-not-an-aws-key',
};

/**
 * The demo AWS account (`123456789012`, `eu-west-1`, labelled a demo in
 * every description): a healthy service user, a stale key unused for 212
 * days (in a group whose inline policy allows `iam:*`), a user with an
 * inline `*:*` policy and an IAM SSH key, an admin
 * break-glass role, an EC2 workload role, an expiring IAM server
 * certificate, a rotated and an unrotated secret, and an Amazon-issued and
 * an imported ACM certificate.
 */
export async function demoAccount(now = new Date()): Promise<EmulatedAccount> {
  const account = emptyAccount({ accountId: '123456789012', region: 'eu-west-1', ...DEMO_AWS_CREDENTIALS });
  const s3 = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
  account.users.push(
    user({
      userName: 'svc-payments-api',
      createDate: daysAgo(now, 400),
      tags: ownerTags('group:default/payments', 'payments-api'),
      attachedPolicies: [s3],
      accessKeys: [accessKey({ createDate: daysAgo(now, 30), lastUsed: { date: daysAgo(now, 1), service: 's3', region: 'eu-west-1' } })],
    }),
    user({
      userName: 'svc-billing-export',
      createDate: daysAgo(now, 700),
      tags: ownerTags('group:default/billing', 'legacy-billing', [{ Key: 'keyring.io/demo', Value: 'stale unused key' }]),
      attachedPolicies: [s3],
      groups: ['billing-ops'],
      accessKeys: [
        accessKey({ createDate: daysAgo(now, 640), lastUsed: { date: daysAgo(now, 212), service: 's3', region: 'eu-west-1' } }),
        accessKey({ createDate: daysAgo(now, 500), status: 'Inactive' }),
      ],
    }),
    user({
      userName: 'deploy-bot',
      createDate: daysAgo(now, 900),
      inlinePolicies: { 'deploy-everything': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] } },
      sshPublicKeys: [{ id: 'APKAKEYRINGDEMO00001', body: sshEd25519PublicKey('deploy-bot@codecommit'), status: 'Active', uploadDate: daysAgo(now, 800) }],
      accessKeys: [accessKey({ createDate: daysAgo(now, 95) })],
    }),
  );
  account.groups = [
    {
      groupName: 'billing-ops',
      groupId: 'AGPAKEYRINGDEMO00001',
      path: '/',
      createDate: daysAgo(now, 700),
      attachedPolicies: [s3],
      inlinePolicies: { 'manage-users': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:*'], Resource: '*' }] } },
    },
  ];
  account.roles.push(
    role({
      roleName: 'admin-breakglass',
      createDate: daysAgo(now, 1000),
      description: 'Demo: break-glass administrator role',
      principal: { AWS: `arn:aws:iam::${account.accountId}:root` },
      attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      lastUsed: { date: daysAgo(now, 45), region: 'eu-west-1' },
      tags: ownerTags('group:default/platform-team'),
    }),
    role({
      roleName: 'payments-api-ec2',
      createDate: daysAgo(now, 300),
      description: 'Demo: instance role of the payments API',
      attachedPolicies: [s3],
      inlinePolicies: { 'read-queue': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: '*' }] } },
      lastUsed: { date: daysAgo(now, 0), region: 'eu-west-1' },
      tags: ownerTags(undefined, 'payments-api'),
    }),
  );
  const legacyNotAfter = new Date(now.getTime() + 20 * 86_400_000);
  account.serverCertificates.push({
    name: 'legacy-billing-elb',
    id: 'ASCAKEYRINGDEMO00001',
    path: '/',
    uploadDate: daysAgo(now, 345),
    expiration: legacyNotAfter.toISOString(),
    body: await selfSignedCertificatePem({ commonName: 'billing.example.test', notBefore: new Date(daysAgo(now, 345)), notAfter: legacyNotAfter }),
  });
  const arn = (name: string, suffix: string) => `arn:aws:secretsmanager:eu-west-1:${account.accountId}:secret:${name}-${suffix}`;
  account.secrets.push(
    {
      name: 'payments/db-password',
      arn: arn('payments/db-password', 'a1B2c3'),
      description: 'Demo: rotated every 30 days',
      createdDate: daysAgo(now, 400),
      lastChangedDate: daysAgo(now, 10),
      lastAccessedDate: daysAgo(now, 0),
      lastRotatedDate: daysAgo(now, 10),
      rotationEnabled: true,
      rotationDays: 30,
      tags: ownerTags('group:default/payments', 'payments-api'),
      secretString: 'demo-secret-value-payments-Zq8vX1',
    },
    {
      name: 'billing/partner-api-key',
      arn: arn('billing/partner-api-key', 'd4E5f6'),
      description: 'Demo: never rotated',
      createdDate: daysAgo(now, 800),
      lastChangedDate: daysAgo(now, 800),
      lastAccessedDate: daysAgo(now, 100),
      rotationEnabled: false,
      tags: ownerTags('group:default/billing'),
      secretString: 'demo-secret-value-billing-Kp3mW9',
    },
  );
  const acm = (suffix: string) => `arn:aws:acm:eu-west-1:${account.accountId}:certificate/${suffix}`;
  const issued = { notBefore: new Date(daysAgo(now, 60)), notAfter: new Date(now.getTime() + 335 * 86_400_000) };
  const imported = { notBefore: new Date(daysAgo(now, 300)), notAfter: new Date(now.getTime() + 65 * 86_400_000) };
  account.certificates.push(
    {
      arn: acm('0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b'),
      domainName: 'api.payments.example.test',
      subjectAlternativeNames: ['api.payments.example.test'],
      type: 'AMAZON_ISSUED',
      status: 'ISSUED',
      renewalEligibility: 'ELIGIBLE',
      inUseBy: [`arn:aws:elasticloadbalancing:eu-west-1:${account.accountId}:loadbalancer/app/payments/50dc6c495c0c9188`],
      keyAlgorithm: 'EC_prime256v1',
      createdAt: daysAgo(now, 60),
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      serial: '0a',
      subject: 'CN=api.payments.example.test',
      issuer: 'Amazon',
      certificate: await selfSignedCertificatePem({ commonName: 'api.payments.example.test', ...issued, serialNumber: '0a' }),
      tags: [],
    },
    {
      arn: acm('6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f'),
      domainName: 'reports.example.test',
      subjectAlternativeNames: ['reports.example.test'],
      type: 'IMPORTED',
      status: 'ISSUED',
      renewalEligibility: 'INELIGIBLE',
      inUseBy: [],
      keyAlgorithm: 'EC_prime256v1',
      createdAt: daysAgo(now, 300),
      notBefore: imported.notBefore.toISOString(),
      notAfter: imported.notAfter.toISOString(),
      serial: '0b',
      subject: 'CN=reports.example.test',
      issuer: 'CN=reports.example.test',
      certificate: await selfSignedCertificatePem({ commonName: 'reports.example.test', ...imported, serialNumber: '0b' }),
      tags: [],
    },
  );
  return account;
}
