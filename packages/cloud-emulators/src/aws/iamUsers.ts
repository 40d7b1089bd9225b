import {
  findAccessKey,
  iamArn,
  page,
  policyHandlers,
  required,
  requireUser,
} from './lookup';
import type { EmulatedAccount, EmulatedUser } from './types';
import { AwsError, type XmlValue } from './xml';

/** An IAM Query API operation: parameters in, the `…Result` fields out. */
export type QueryHandler = (
  params: URLSearchParams,
  account: EmulatedAccount,
) => Record<string, XmlValue> | undefined;

function userMember(account: EmulatedAccount, u: EmulatedUser): Record<string, XmlValue> {
  if (u.malformed) return { Path: u.path, UserId: u.userId };
  return {
    Path: u.path,
    UserName: u.userName,
    UserId: u.userId,
    Arn: iamArn(account, 'user', u.path, u.userName),
    CreateDate: u.createDate,
  };
}

function findKey(account: EmulatedAccount, params: URLSearchParams) {
  const id = required(params, 'AccessKeyId');
  const user = params.get('UserName') ? requireUser(account, params) : undefined;
  const found = findAccessKey(account, id);
  const owner = user ?? found?.user;
  const key = owner && found?.user === owner ? found.key : undefined;
  if (!owner || !key) {
    throw new AwsError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);
  }
  return { owner, key };
}

/** IAM user operations: users, access keys, tags, user policies, SSH public keys. */
export const iamUserHandlers: Record<string, QueryHandler> = {
  ListUsers(params, account) {
    const prefix = params.get('PathPrefix') ?? '/';
    const users = prefix === '/' ? account.users : account.users.filter(u => u.path.startsWith(prefix));
    const { items, fields } = page(users, params);
    return { Users: items.map(u => userMember(account, u)), ...fields };
  },
  GetUser(params, account) {
    const u = requireUser(account, params);
    return { User: { ...userMember(account, u), Tags: u.tags } };
  },
  ListAccessKeys(params, account) {
    const u = requireUser(account, params);
    const { items, fields } = page(u.accessKeys, params);
    return {
      UserName: u.userName,
      AccessKeyMetadata: items.map(k => ({
        UserName: u.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: k.createDate,
      })),
      ...fields,
    };
  },
  GetAccessKeyLastUsed(params, account) {
    const id = required(params, 'AccessKeyId');
    const owner = findAccessKey(account, id);
    if (!owner) throw new AwsError('AccessDenied', `Access key ${id} does not belong to this account.`, 403);
    const used = owner.key.lastUsed;
    return {
      UserName: owner.user.userName,
      AccessKeyLastUsed: {
        LastUsedDate: used?.date,
        ServiceName: used?.service ?? 'N/A',
        Region: used?.region ?? 'N/A',
      },
    };
  },
  UpdateAccessKey(params, account) {
    const status = required(params, 'Status');
    if (status !== 'Active' && status !== 'Inactive') {
      throw new AwsError('ValidationError', `Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    findKey(account, params).key.status = status;
    return undefined;
  },
  DeleteAccessKey(params, account) {
    const { owner, key } = findKey(account, params);
    owner.accessKeys.splice(owner.accessKeys.indexOf(key), 1);
    return undefined;
  },
  ListUserTags(params, account) {
    const { items, fields } = page(requireUser(account, params).tags, params);
    return { Tags: items, ...fields };
  },
  TagUser(params, account) {
    const u = requireUser(account, params);
    for (let i = 1; params.has(`Tags.member.${i}.Key`); i++) {
      const Key = params.get(`Tags.member.${i}.Key`)!;
      const Value = params.get(`Tags.member.${i}.Value`) ?? '';
      const at = u.tags.findIndex(t => t.Key === Key);
      if (at >= 0) u.tags[at] = { Key, Value };
      else u.tags.push({ Key, Value });
    }
    return undefined;
  },
  UntagUser(params, account) {
    const u = requireUser(account, params);
    const keys = new Set<string>();
    for (let i = 1; params.has(`TagKeys.member.${i}`); i++) keys.add(params.get(`TagKeys.member.${i}`)!);
    u.tags = u.tags.filter(t => !keys.has(t.Key));
    return undefined;
  },
  ...policyHandlers('User', requireUser, x => x.userName),
  ListSSHPublicKeys(params, account) {
    const u = requireUser(account, params);
    const { items, fields } = page(u.sshPublicKeys, params);
    return {
      SSHPublicKeys: items.map(k => ({
        UserName: u.userName,
        SSHPublicKeyId: k.id,
        Status: k.status,
        UploadDate: k.uploadDate,
      })),
      ...fields,
    };
  },
  GetSSHPublicKey(params, account) {
    const u = requireUser(account, params);
    const id = required(params, 'SSHPublicKeyId');
    const k = u.sshPublicKeys.find(x => x.id === id);
    if (!k) throw new AwsError('NoSuchEntity', `The Public Key with id ${id} cannot be found.`, 404);
    if (params.get('Encoding') !== 'SSH' && params.get('Encoding') !== 'PEM') {
      throw new AwsError('ValidationError', 'Encoding must be SSH or PEM');
    }
    return {
      SSHPublicKey: {
        UserName: u.userName,
        SSHPublicKeyId: k.id,
        Fingerprint: '',
        SSHPublicKeyBody: k.body,
        Status: k.status,
        UploadDate: k.uploadDate,
      },
    };
  },
};
