import {
  GetRoleCommand,
  GetRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
} from '@aws-sdk/client-iam';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { describeAwsError, mapConcurrent, readAllPages, sha256Hex, type AccountScan } from './AccountScan';
import { ownerHintFromTags, trustedPrincipals } from './ownerHintFromTags';
import { decodePolicyDocument, judgeInlinePolicy, type ManagedPolicyJudge } from './policyPrivilege';

const ROLES = 'iam/roles';

/**
 * Streams an account's IAM roles as `workload-identity` discoveries: trust
 * policy principals, `RoleLastUsed`, tags and the privilege of attached and
 * inline policies. A role whose facts could not all be read is not reported.
 */
export async function* scanIamRoles(
  scan: AccountScan,
  judge: ManagedPolicyJudge,
  counts: { roles: number },
): AsyncGenerator<MachineIdentityDiscovery> {
  try {
    for await (const page of paginateListRoles({ client: scan.clients.iam, pageSize: 100 }, {})) {
      const owned = (page.Roles ?? []).filter(r => !r.RoleName || !r.Arn || scan.owns(scan.location(ROLES, r.RoleName)));
      const roles = await mapConcurrent(owned, 8, role => scanRole(scan, judge, role));
      for (const d of roles) {
        if (!d) continue;
        counts.roles += 1;
        yield d;
      }
    }
  } catch (error) {
    scan.fail(ROLES, scan.location(ROLES), `ListRoles failed after ${counts.roles} roles: ${describeAwsError(error)}`);
  }
  scan.coverIfComplete(ROLES);
}

async function scanRole(scan: AccountScan, judge: ManagedPolicyJudge, listed: Role): Promise<MachineIdentityDiscovery | undefined> {
  const name = listed.RoleName;
  if (!name || !listed.Arn) {
    if (!scan.ownsAccountLevel) return undefined;
    scan.context.reportProblem({ location: scan.location(ROLES), message: `Skipped a malformed IAM role record (RoleId ${listed.RoleId ?? 'unknown'})`, incomplete: false });
    return undefined;
  }
  const { iam } = scan.clients;
  const location = scan.location(ROLES, name);
  const q = { RoleName: name };
  const [got, attached, inlineNames] = await Promise.all([
    scan.call(ROLES, location, 'GetRole', () => iam.send(new GetRoleCommand(q))),
    readAllPages(scan, ROLES, location, 'ListAttachedRolePolicies', paginateListAttachedRolePolicies({ client: iam }, q), p => p.AttachedPolicies),
    readAllPages(scan, ROLES, location, 'ListRolePolicies', paginateListRolePolicies({ client: iam }, q), p => p.PolicyNames),
  ]);
  const role = got?.Role;
  if (got && !role) scan.missing(ROLES, location, `GetRole for role ${name}`, 'a Role');
  if (!role || !attached.complete || !inlineNames.complete) return undefined;
  const reasons: string[] = [];
  for (const policy of attached.items) {
    const verdict = await judge.judge(policy.PolicyArn ?? '', ROLES, `role ${name}`);
    if (!verdict) return undefined;
    if (verdict.privilegedReason) reasons.push(verdict.privilegedReason);
  }
  for (const policyName of inlineNames.items) {
    const what = `GetRolePolicy ${policyName} for role ${name}`;
    const doc = await scan.call(ROLES, location, what, () =>
      iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
    );
    const { known, admin } = judgeInlinePolicy(scan, ROLES, location, what, doc);
    if (!known) return undefined;
    if (admin) reasons.push(`inline policy ${policyName} allows ${admin}`);
  }
  let principals: string[] = [];
  try {
    principals = role.AssumeRolePolicyDocument ? trustedPrincipals(decodePolicyDocument(role.AssumeRolePolicyDocument)) : [];
  } catch {
    scan.context.reportProblem({ location, message: `Role ${name} has a malformed trust policy`, incomplete: false });
  }
  const arn = role.Arn ?? listed.Arn;
  return {
    type: 'workload-identity',
    fingerprintSha256: sha256Hex(arn),
    displayName: arn,
    attributes: {
      subject: arn,
      notBefore: role.CreateDate?.toISOString(),
      lastUsedAt: role.RoleLastUsed?.LastUsedDate?.toISOString(),
      scopes: [...attached.items.map(p => p.PolicyName ?? ''), ...inlineNames.items].filter(Boolean),
      privileged: reasons.length > 0 || undefined,
      privilegedReason: reasons.length > 0 ? reasons.join('; ') : undefined,
      extra: {
        name,
        accountId: scan.account.accountId,
        roleId: role.RoleId ?? '',
        trustedPrincipals: principals.join(', '),
        maxSessionDurationSeconds: role.MaxSessionDuration ?? 3600,
        ...(role.RoleLastUsed?.Region ? { lastUsedRegion: role.RoleLastUsed.Region } : {}),
      },
    },
    location,
    details: { accountId: scan.account.accountId, roleName: name, arn, attachedPolicyArns: attached.items.map(p => p.PolicyArn) },
    management: 'automated',
    ownerHint: ownerHintFromTags(role.Tags, `IAM role ${name}`),
    links: { awsIamRoles: [name, arn] },
  };
}
