import {
  GetAccessKeyLastUsedCommand,
  GetSSHPublicKeyCommand,
  GetUserPolicyCommand,
  paginateListAccessKeys,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListSSHPublicKeys,
  paginateListUserPolicies,
  paginateListUsers,
  paginateListUserTags,
  type AccessKeyMetadata,
  type User,
} from '@aws-sdk/client-iam';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { describeAwsError, mapConcurrent, readAllPages, sha256Hex, type AccountScan } from './AccountScan';
import { ownerHintFromTags } from './ownerHintFromTags';
import type { GroupPrivilegeJudge } from './groupPrivilege';
import { judgeInlinePolicy, type ManagedPolicyJudge } from './policyPrivilege';
import { sshKeyDiscovery } from './sshKeyDiscovery';

const USERS = 'iam/users';
const KEYS = 'iam/access-keys';
const SSH_KEYS = 'iam/ssh-keys';
/** Users whose keys, policies and tags are read at the same time. */
const USER_CONCURRENCY = 8;

/** Counts of one account's IAM user scan, for the log line. */
export interface UserScanCounts {
  users: number;
  accessKeys: number;
  sshKeys: number;
}

const iso = (d: Date | undefined) => d?.toISOString();

/**
 * Streams an account's IAM users (`service-account`), their access keys
 * (`api-token`, identified by an HMAC of the access key id) and SSH public
 * keys (`ssh-key`), page by page. A user or key whose facts could not all be
 * read is not reported (what was seen before is kept) and leaves the family
 * incomplete, so nothing is retired on its account.
 */
export async function* scanIamUsers(
  scan: AccountScan,
  judges: { policies: ManagedPolicyJudge; groups: GroupPrivilegeJudge },
  counts: UserScanCounts,
): AsyncGenerator<MachineIdentityDiscovery> {
  const { iam } = scan.clients;
  const listLocation = scan.location(USERS);
  try {
    for await (const page of paginateListUsers({ client: iam, pageSize: 100 }, {})) {
      // Every shard lists all users and handles its own; a malformed record (no shard can be told) in every shard.
      const users = (page.Users ?? []).filter(u => !u.UserName || !u.Arn || scan.owns(scan.location(USERS, u.UserName)));
      const batches = await mapConcurrent(users, USER_CONCURRENCY, user => scanUser(scan, judges, user, counts));
      for (const discoveries of batches) yield* discoveries;
      scan.context.reportProgress({ done: counts.users });
    }
  } catch (error) {
    scan.fail(USERS, listLocation, `ListUsers failed after ${counts.users} users: ${describeAwsError(error)}`);
  }
  scan.coverIfComplete(USERS);
  if (scan.isComplete(USERS)) {
    scan.coverIfComplete(KEYS);
    scan.coverIfComplete(SSH_KEYS);
  }
}

async function scanUser(
  scan: AccountScan,
  judges: { policies: ManagedPolicyJudge; groups: GroupPrivilegeJudge },
  user: User,
  counts: UserScanCounts,
): Promise<MachineIdentityDiscovery[]> {
  const { iam } = scan.clients;
  const name = user.UserName;
  if (!name || !user.Arn) {
    // Its keys cannot be listed: keep the account's keys from being retired wholesale (by every shard).
    scan.markIncomplete(KEYS);
    scan.markIncomplete(SSH_KEYS);
    if (!scan.ownsAccountLevel) return [];
    scan.context.reportProblem({
      location: scan.location(USERS),
      message: `Skipped a malformed IAM user record (UserId ${user.UserId ?? 'unknown'}): no UserName or Arn`,
      incomplete: false,
    });
    return [];
  }
  const location = scan.location(USERS, name);
  const keyFamily = `${KEYS}/${name}`;
  const sshFamily = `${SSH_KEYS}/${name}`;
  const q = { UserName: name };
  const [keys, tags, attached, inlineNames, sshKeys, groups] = await Promise.all([
    readAllPages(scan, keyFamily, location, 'ListAccessKeys', paginateListAccessKeys({ client: iam }, q), p => p.AccessKeyMetadata),
    readAllPages(scan, USERS, location, 'ListUserTags', paginateListUserTags({ client: iam }, q), p => p.Tags),
    readAllPages(scan, USERS, location, 'ListAttachedUserPolicies', paginateListAttachedUserPolicies({ client: iam }, q), p => p.AttachedPolicies),
    readAllPages(scan, USERS, location, 'ListUserPolicies', paginateListUserPolicies({ client: iam }, q), p => p.PolicyNames),
    readAllPages(scan, sshFamily, location, 'ListSSHPublicKeys', paginateListSSHPublicKeys({ client: iam }, q), p => p.SSHPublicKeys),
    readAllPages(scan, USERS, location, 'ListGroupsForUser', paginateListGroupsForUser({ client: iam }, q), p => p.Groups),
  ]);
  const reasons: string[] = [];
  let policiesKnown = attached.complete && inlineNames.complete && groups.complete;
  for (const policy of attached.items) {
    const verdict = await judges.policies.judge(policy.PolicyArn ?? '', USERS, `user ${name}`);
    if (!verdict) policiesKnown = false;
    else if (verdict.privilegedReason) reasons.push(verdict.privilegedReason);
  }
  for (const policyName of inlineNames.items) {
    const what = `GetUserPolicy ${policyName} for user ${name}`;
    const doc = await scan.call(USERS, location, what, () =>
      iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName })),
    );
    const { known, admin } = judgeInlinePolicy(scan, USERS, location, what, doc);
    if (!known) policiesKnown = false;
    else if (admin) reasons.push(`inline policy ${policyName} allows ${admin}`);
  }
  for (const group of groups.items) {
    if (!group.GroupName) scan.missing(USERS, location, `ListGroupsForUser for user ${name}`, 'a GroupName');
    const granted = group.GroupName ? await judges.groups.judge(group.GroupName, USERS, `user ${name}`) : undefined;
    if (!granted) policiesKnown = false;
    else reasons.push(...granted);
  }
  const hint = ownerHintFromTags(tags.items, `IAM user ${name}`);
  const out: MachineIdentityDiscovery[] = [];
  const lastUses: string[] = [];
  for (const key of keys.items) {
    const d = await accessKeyDiscovery(scan, name, key, hint);
    if (!d) continue;
    if (d.attributes.lastUsedAt) lastUses.push(d.attributes.lastUsedAt);
    out.push(d);
    counts.accessKeys += 1;
  }
  for (const meta of sshKeys.items) {
    const got = await scan.call(sshFamily, location, `GetSSHPublicKey ${meta.SSHPublicKeyId}`, () =>
      iam.send(new GetSSHPublicKeyCommand({ UserName: name, SSHPublicKeyId: meta.SSHPublicKeyId, Encoding: 'SSH' })),
    );
    if (got && !got.SSHPublicKey) scan.missing(sshFamily, location, `GetSSHPublicKey ${meta.SSHPublicKeyId} for user ${name}`, 'an SSHPublicKey');
    const d = got?.SSHPublicKey && sshKeyDiscovery(scan, sshFamily, got.SSHPublicKey, hint);
    if (d) {
      out.push(d);
      counts.sshKeys += 1;
    }
  }
  scan.coverIfComplete(keyFamily);
  scan.coverIfComplete(sshFamily);
  if (!(tags.complete && policiesKnown && keys.complete)) {
    // Without all of its facts the user would be written with a wrong
    // privilege or owner: keep what the last complete scan saw.
    return out;
  }
  counts.users += 1;
  const active = keys.items.filter(k => k.Status === 'Active').length;
  out.unshift({
    type: 'service-account',
    fingerprintSha256: sha256Hex(user.Arn),
    displayName: user.Arn,
    attributes: {
      subject: user.Arn,
      notBefore: iso(user.CreateDate),
      lastUsedAt: lastUses.sort().at(-1),
      scopes: [...attached.items.map(p => p.PolicyName ?? ''), ...inlineNames.items, ...groups.items.map(g => `group:${g.GroupName}`)].filter(Boolean),
      privileged: reasons.length > 0 || undefined,
      privilegedReason: reasons.length > 0 ? reasons.join('; ') : undefined,
      admin: reasons.length > 0 || undefined,
      staticKeys: active,
      extra: { name, accountId: scan.account.accountId, userId: user.UserId ?? '', path: user.Path ?? '/', accessKeys: keys.items.length, activeAccessKeys: active },
    },
    location,
    details: { accountId: scan.account.accountId, userName: name, arn: user.Arn },
    management: 'manual',
    ownerHint: hint,
    links: { awsIamUsers: [name, user.Arn] },
  });
  return out;
}

async function accessKeyDiscovery(
  scan: AccountScan,
  userName: string,
  key: AccessKeyMetadata,
  hint: ReturnType<typeof ownerHintFromTags>,
): Promise<MachineIdentityDiscovery | undefined> {
  const id = key.AccessKeyId;
  if (!id) {
    scan.missing(`${KEYS}/${userName}`, scan.location(USERS, userName), `ListAccessKeys for user ${userName}`, 'an AccessKeyId');
    return undefined;
  }
  const location = scan.location(KEYS, userName, id);
  const used = await scan.call(`${KEYS}/${userName}`, location, 'GetAccessKeyLastUsed', () =>
    scan.clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id })),
  );
  if (!used) return undefined;
  const last = used.AccessKeyLastUsed;
  const created = iso(key.CreateDate);
  return {
    type: 'api-token',
    fingerprintSha256: scan.context.fingerprintSecret(`aws-access-key:${id}`),
    displayName: `${id} (${userName})`,
    attributes: {
      notBefore: created,
      lastUsedAt: iso(last?.LastUsedDate),
      storage: 'aws-iam-access-key',
      rotation: { enabled: false, lastRotatedAt: created },
      extra: {
        accessKeyId: id,
        userName,
        accountId: scan.account.accountId,
        status: key.Status ?? 'Unknown',
        neverUsed: !last?.LastUsedDate,
        ...(last?.ServiceName && last.ServiceName !== 'N/A' ? { lastUsedService: last.ServiceName } : {}),
        ...(last?.Region && last.Region !== 'N/A' ? { lastUsedRegion: last.Region } : {}),
      },
    },
    location,
    details: { accountId: scan.account.accountId, userName, accessKeyId: id, status: key.Status },
    firstSeenEvidence: created,
    management: 'manual',
    ownerHint: hint,
    links: { awsIamUsers: [userName] },
  };
}
