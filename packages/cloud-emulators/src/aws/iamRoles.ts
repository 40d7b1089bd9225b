import type { QueryHandler } from './iamUsers';
import {
  encodeDocument,
  findBy,
  iamArn,
  page,
  policyHandlers,
  required,
  requireRole,
} from './lookup';
import type { EmulatedAccount, EmulatedRole, EmulatedServerCertificate } from './types';
import { AwsError, type XmlValue } from './xml';

function roleMember(account: EmulatedAccount, r: EmulatedRole, full: boolean): Record<string, XmlValue> {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: iamArn(account, 'role', r.path, r.roleName),
    CreateDate: r.createDate,
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration ?? 3600,
    // As in AWS: ListRoles leaves out tags and RoleLastUsed; GetRole has them.
    ...(full
      ? {
          Tags: r.tags.length ? r.tags : undefined,
          RoleLastUsed: r.lastUsed ? { LastUsedDate: r.lastUsed.date, Region: r.lastUsed.region } : {},
        }
      : {}),
  };
}

function serverCertificateMetadata(account: EmulatedAccount, c: EmulatedServerCertificate): Record<string, XmlValue> {
  return {
    ServerCertificateName: c.name,
    Path: c.path,
    Arn: iamArn(account, 'server-certificate', c.path, c.name),
    UploadDate: c.uploadDate,
    ServerCertificateId: c.id,
    Expiration: c.expiration,
  };
}

function requirePolicy(account: EmulatedAccount, params: URLSearchParams) {
  const arn = required(params, 'PolicyArn');
  const policy = findBy(account.policies, p => p.arn, arn);
  if (!policy) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
  return policy;
}

/** IAM role, managed policy and server certificate operations. */
export const iamRoleHandlers: Record<string, QueryHandler> = {
  ListRoles(params, account) {
    const { items, fields } = page(account.roles, params);
    return { Roles: items.map(r => roleMember(account, r, false)), ...fields };
  },
  GetRole(params, account) {
    return { Role: roleMember(account, requireRole(account, params), true) };
  },
  ListRoleTags(params, account) {
    const { items, fields } = page(requireRole(account, params).tags, params);
    return { Tags: items, ...fields };
  },
  ...policyHandlers('Role', requireRole, x => x.roleName),
  DetachRolePolicy(params, account) {
    const r = requireRole(account, params);
    const arn = required(params, 'PolicyArn');
    const at = r.attachedPolicies.indexOf(arn);
    if (at < 0) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
    r.attachedPolicies.splice(at, 1);
    return undefined;
  },
  GetPolicy(params, account) {
    const p = requirePolicy(account, params);
    const attachments = [...account.users, ...account.roles, ...(account.groups ?? [])].filter(x => x.attachedPolicies.includes(p.arn)).length;
    return {
      Policy: {
        PolicyName: p.policyName,
        PolicyId: p.policyId,
        Arn: p.arn,
        Path: p.path,
        DefaultVersionId: p.defaultVersionId,
        AttachmentCount: attachments,
        IsAttachable: true,
        CreateDate: p.createDate,
        UpdateDate: p.createDate,
      },
    };
  },
  GetPolicyVersion(params, account) {
    const p = requirePolicy(account, params);
    const version = required(params, 'VersionId');
    if (version !== p.defaultVersionId) {
      throw new AwsError('NoSuchEntity', `Policy ${p.arn} version ${version} does not exist.`, 404);
    }
    return {
      PolicyVersion: { Document: encodeDocument(p.document), VersionId: version, IsDefaultVersion: true, CreateDate: p.createDate },
    };
  },
  ListServerCertificates(params, account) {
    const { items, fields } = page(account.serverCertificates, params);
    return {
      ServerCertificateMetadataList: items.map(c => serverCertificateMetadata(account, c)),
      ...fields,
    };
  },
  GetServerCertificate(params, account) {
    const name = required(params, 'ServerCertificateName');
    const c = findBy(account.serverCertificates, x => x.name, name);
    if (!c) throw new AwsError('NoSuchEntity', `The Server Certificate with name ${name} cannot be found.`, 404);
    return {
      ServerCertificate: {
        ServerCertificateMetadata: serverCertificateMetadata(account, c),
        CertificateBody: c.body,
        CertificateChain: c.chain,
      },
    };
  },
};
