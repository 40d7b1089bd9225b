/** An AWS resource tag. */
export type AwsTag = {
  Key: string;
  Value: string;
};

/** An IAM policy document (JSON, served URL-encoded as IAM does). */
export type PolicyDocument = Record<string, unknown>;

/** An IAM access key. The secret is kept only to verify request signatures. */
export interface EmulatedAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  /** `GetAccessKeyLastUsed`; absent = never used (`LastUsedDate` omitted, service/region `N/A`). */
  lastUsed?: { date: string; service: string; region: string };
}

/** An IAM SSH public key (for CodeCommit). */
export interface EmulatedSshPublicKey {
  id: string;
  /** OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
  body: string;
  status: 'Active' | 'Inactive';
  uploadDate: string;
}

/** An IAM user with what hangs off it. */
export interface EmulatedUser {
  userName: string;
  userId: string;
  path: string;
  createDate: string;
  tags: AwsTag[];
  accessKeys: EmulatedAccessKey[];
  /** ARNs of attached managed policies. */
  attachedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocument>;
  sshPublicKeys: EmulatedSshPublicKey[];
  /** Names of the IAM groups the user is in. */
  groups?: string[];
  /** Serve this user's `member` without `UserName`/`Arn` (a malformed record). */
  malformed?: boolean;
}

/** An IAM group and its policies. */
export interface EmulatedGroup {
  groupName: string;
  groupId: string;
  path: string;
  createDate: string;
  attachedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocument>;
}

/** An IAM role. */
export interface EmulatedRole {
  roleName: string;
  roleId: string;
  path: string;
  createDate: string;
  assumeRolePolicy: PolicyDocument;
  lastUsed?: { date: string; region: string };
  maxSessionDuration?: number;
  description?: string;
  tags: AwsTag[];
  attachedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocument>;
}

/** A managed policy (AWS-managed or customer-managed) with its default version. */
export interface EmulatedManagedPolicy {
  arn: string;
  policyName: string;
  policyId: string;
  path: string;
  defaultVersionId: string;
  document: PolicyDocument;
  createDate: string;
}

/** An IAM server certificate. */
export interface EmulatedServerCertificate {
  name: string;
  id: string;
  path: string;
  uploadDate: string;
  expiration: string;
  /** PEM. */
  body: string;
  chain?: string;
}

/** A Secrets Manager secret. Its value is never served (GetSecretValue refuses). */
export interface EmulatedSecret {
  name: string;
  arn: string;
  description?: string;
  createdDate: string;
  lastChangedDate?: string;
  lastAccessedDate?: string;
  lastRotatedDate?: string;
  rotationEnabled: boolean;
  rotationDays?: number;
  tags: AwsTag[];
  /** The value: kept so tests can prove it never leaks, never returned. */
  secretString: string;
}

/** An ACM certificate. */
export interface EmulatedAcmCertificate {
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
  type: 'AMAZON_ISSUED' | 'IMPORTED' | 'PRIVATE';
  status: 'ISSUED' | 'EXPIRED' | 'PENDING_VALIDATION';
  renewalEligibility: 'ELIGIBLE' | 'INELIGIBLE';
  inUseBy: string[];
  keyAlgorithm: string;
  createdAt: string;
  notBefore: string;
  notAfter: string;
  serial: string;
  subject: string;
  issuer: string;
  /** PEM of the leaf, and of its chain. */
  certificate: string;
  certificateChain?: string;
  tags: AwsTag[];
}

/** Credentials the emulator accepts (request signatures are verified with them). */
export interface EmulatedCaller {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** ARN the caller acts as. */
  arn: string;
}

/** One emulated AWS account: IAM (global) plus one region's Secrets Manager and ACM. */
export interface EmulatedAccount {
  accountId: string;
  region: string;
  users: EmulatedUser[];
  roles: EmulatedRole[];
  /** IAM groups (optional: estates saved before groups existed have none). */
  groups?: EmulatedGroup[];
  policies: EmulatedManagedPolicy[];
  serverCertificates: EmulatedServerCertificate[];
  secrets: EmulatedSecret[];
  certificates: EmulatedAcmCertificate[];
  callers: EmulatedCaller[];
}

/** A fault the emulator serves instead of a real answer. */
export interface AwsFault {
  /** Operation name (`ListUsers`, `ListSecrets`…); any operation when absent. */
  operation?: string;
  /** `throttle`: the service's throttling error; `server-error`: HTTP 500; `malformed`: a truncated body with status 200. */
  kind: 'throttle' | 'server-error' | 'malformed';
  /** How many matching calls fail (default 1). */
  times?: number;
  /** Matching calls answered normally before the fault starts (default 0). */
  after?: number;
  /** Only calls whose parameters contain these values (e.g. `{ Marker: … }` is awkward; `{ UserName: 'bob' }`). */
  params?: Record<string, string>;
}

/** One request the emulator answered, for tests. Never carries secret values. */
export interface AwsCall {
  service: 'iam' | 'sts' | 'secretsmanager' | 'acm';
  operation: string;
  params: Record<string, unknown>;
  status: number;
  /** The access key id that signed the request. */
  accessKeyId?: string;
}
