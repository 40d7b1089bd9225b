import { findBy } from './lookup';
import type { EmulatedAccount, EmulatedCaller } from './types';
import { AwsError } from './xml';

/** A JSON-protocol operation (`X-Amz-Target`): request body in, response body out. */
export type JsonHandler = (body: Record<string, unknown>, account: EmulatedAccount) => Record<string, unknown>;

/** Timestamps travel as epoch seconds in the AWS JSON protocols. */
const epoch = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

function tokenPage<T>(items: T[], body: Record<string, unknown>, maxKey: string, limit: number) {
  const max = body[maxKey] === undefined ? 100 : Number(body[maxKey]);
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw new AwsError('InvalidParameterException', `${maxKey} must be between 1 and ${limit}`);
  }
  let offset = 0;
  if (body.NextToken !== undefined) {
    const m = /^t(\d+)$/.exec(Buffer.from(String(body.NextToken), 'base64url').toString());
    if (!m) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
    offset = Number(m[1]);
  }
  const next = offset + max < items.length ? Buffer.from(`t${offset + max}`).toString('base64url') : undefined;
  return { items: items.slice(offset, offset + max), next };
}

/** Secrets Manager (`secretsmanager.*`): metadata only. */
export const secretsManagerHandlers: Record<string, JsonHandler> = {
  ListSecrets(body, account) {
    const { items, next } = tokenPage(account.secrets, body, 'MaxResults', 100);
    return {
      SecretList: items.map(s => ({
        ARN: s.arn,
        Name: s.name,
        Description: s.description,
        RotationEnabled: s.rotationEnabled,
        RotationRules: s.rotationDays ? { AutomaticallyAfterDays: s.rotationDays } : undefined,
        LastRotatedDate: epoch(s.lastRotatedDate),
        LastChangedDate: epoch(s.lastChangedDate),
        LastAccessedDate: epoch(s.lastAccessedDate),
        CreatedDate: epoch(s.createdDate),
        Tags: s.tags,
        SecretVersionsToStages: { [`v-${s.arn.slice(-6)}`]: ['AWSCURRENT'] },
      })),
      NextToken: next,
    };
  },
  GetSecretValue(body) {
    // Keyring must never read secret values: refuse loudly (and the call is recorded).
    throw new AwsError(
      'AccessDeniedException',
      `GetSecretValue is refused by the Keyring AWS emulator: a scanner asked for the value of ${String(body.SecretId)}`,
    );
  },
};

/** ACM (`CertificateManager.*`). */
export const acmHandlers: Record<string, JsonHandler> = {
  ListCertificates(body, account) {
    // As ACM: without `Includes.keyTypes` only RSA_2048 certificates are listed.
    const includes = body.Includes as { keyTypes?: string[] } | undefined;
    const keyTypes = includes?.keyTypes ?? ['RSA_2048'];
    const listed = account.certificates.filter(c => keyTypes.includes(c.keyAlgorithm));
    const { items, next } = tokenPage(listed, body, 'MaxItems', 1000);
    return {
      CertificateSummaryList: items.map(c => ({
        CertificateArn: c.arn,
        DomainName: c.domainName,
        SubjectAlternativeNameSummaries: c.subjectAlternativeNames,
        HasAdditionalSubjectAlternativeNames: false,
        Status: c.status,
        Type: c.type,
        KeyAlgorithm: c.keyAlgorithm,
        InUse: c.inUseBy.length > 0,
        RenewalEligibility: c.renewalEligibility,
        NotBefore: epoch(c.notBefore),
        NotAfter: epoch(c.notAfter),
        CreatedAt: epoch(c.createdAt),
      })),
      NextToken: next,
    };
  },
  DescribeCertificate(body, account) {
    const c = requireCertificate(account, body);
    return {
      Certificate: {
        CertificateArn: c.arn,
        DomainName: c.domainName,
        SubjectAlternativeNames: c.subjectAlternativeNames,
        Serial: c.serial,
        Subject: c.subject,
        Issuer: c.issuer,
        CreatedAt: epoch(c.createdAt),
        IssuedAt: c.type === 'IMPORTED' ? undefined : epoch(c.createdAt),
        ImportedAt: c.type === 'IMPORTED' ? epoch(c.createdAt) : undefined,
        Status: c.status,
        NotBefore: epoch(c.notBefore),
        NotAfter: epoch(c.notAfter),
        KeyAlgorithm: c.keyAlgorithm,
        SignatureAlgorithm: 'SHA256WITHECDSA',
        InUseBy: c.inUseBy,
        Type: c.type,
        RenewalEligibility: c.renewalEligibility,
        Options: { CertificateTransparencyLoggingPreference: 'ENABLED' },
      },
    };
  },
  GetCertificate(body, account) {
    const c = requireCertificate(account, body);
    return { Certificate: c.certificate, CertificateChain: c.certificateChain };
  },
  ListTagsForCertificate(body, account) {
    return { Tags: requireCertificate(account, body).tags };
  },
};

function requireCertificate(account: EmulatedAccount, body: Record<string, unknown>) {
  const arn = String(body.CertificateArn ?? '');
  const c = findBy(account.certificates, x => x.arn, arn);
  if (!c) throw new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`);
  return c;
}

/** STS `AssumeRole`: temporary credentials the emulator then accepts. */
export function assumeRole(params: URLSearchParams, account: EmulatedAccount, seq: number) {
  const roleArn = params.get('RoleArn') ?? '';
  const role = account.roles.find(r => `arn:aws:iam::${account.accountId}:role${r.path}${r.roleName}` === roleArn);
  if (!role) throw new AwsError('AccessDenied', `Not authorized to perform sts:AssumeRole on ${roleArn}`, 403);
  const session = params.get('RoleSessionName') ?? 'session';
  const caller: EmulatedCaller = {
    accessKeyId: `ASIAEMULATOR${String(seq).padStart(8, '0')}`,
    secretAccessKey: `emulated-session-secret-${seq}-${Math.random().toString(36).slice(2)}`,
    sessionToken: `emulated-session-token-${seq}`,
    arn: `arn:aws:sts::${account.accountId}:assumed-role/${role.roleName}/${session}`,
  };
  account.callers.push(caller);
  return {
    caller,
    result: {
      Credentials: {
        AccessKeyId: caller.accessKeyId,
        SecretAccessKey: caller.secretAccessKey,
        SessionToken: caller.sessionToken,
        Expiration: new Date(Date.now() + 3600_000).toISOString(),
      },
      AssumedRoleUser: { Arn: caller.arn, AssumedRoleId: `${role.roleId}:${session}` },
    },
  };
}
