import type { EmulatedAccessKey, EmulatedAccount, EmulatedUser, PolicyDocument } from './types';
import type { QueryHandler } from './iamUsers';
import { AwsError, type XmlValue } from './xml';

const indexes = new WeakMap<object, Map<string, number>>();

/**
 * Finds an item by key in O(1), rebuilding the index when the array changed
 * under it (tests mutate the estate directly).
 */
export function findBy<T>(items: T[], key: (item: T) => string, wanted: string): T | undefined {
  let index = indexes.get(items);
  const hit = index?.get(wanted);
  if (hit !== undefined && items[hit] && key(items[hit]) === wanted) return items[hit];
  index = new Map(items.map((item, i) => [key(item), i]));
  indexes.set(items, index);
  const i = index.get(wanted);
  return i === undefined ? undefined : items[i];
}

/** The user named by `UserName`, or IAM's `NoSuchEntity`. */
export function requireUser(account: EmulatedAccount, params: URLSearchParams) {
  const name = required(params, 'UserName');
  const user = findBy(account.users, u => u.userName, name);
  if (!user) throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
  return user;
}

/** The role named by `RoleName`, or IAM's `NoSuchEntity`. */
export function requireRole(account: EmulatedAccount, params: URLSearchParams) {
  const name = required(params, 'RoleName');
  const role = findBy(account.roles, r => r.roleName, name);
  if (!role) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return role;
}

/** A required parameter, or IAM's `ValidationError`. */
export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) {
    throw new AwsError('ValidationError', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/**
 * One page of a list, IAM style: `MaxItems` (1–1000, default 100) and an
 * opaque `Marker`; the result carries `IsTruncated` and, when truncated, the
 * next `Marker`.
 */
export function page<T>(items: T[], params: URLSearchParams): { items: T[]; fields: Record<string, XmlValue> } {
  const max = Number(params.get('MaxItems') ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${params.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const marker = params.get('Marker');
  let offset = 0;
  if (marker) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(marker, 'base64url').toString());
    if (!decoded) throw new AwsError('InvalidInput', 'Invalid Marker.');
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + max);
  const truncated = offset + max < items.length;
  return {
    items: slice,
    fields: {
      IsTruncated: truncated,
      Marker: truncated ? Buffer.from(`o${offset + max}`).toString('base64url') : undefined,
    },
  };
}

/** A policy document as IAM serves it: URL-encoded JSON. */
export function encodeDocument(document: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(document));
}

/** `arn:aws:iam::<account>:<kind><path><name>`. */
export function iamArn(account: EmulatedAccount, kind: string, path: string, name: string): string {
  return `arn:aws:iam::${account.accountId}:${kind}${path}${name}`;
}

const keyIndexes = new WeakMap<object, Map<string, { user: EmulatedUser; key: EmulatedAccessKey }>>();

/** The access key with this id and its user, indexed across the account's users. */
export function findAccessKey(account: EmulatedAccount, id: string) {
  let index = keyIndexes.get(account.users);
  const hit = index?.get(id);
  if (hit && hit.user.accessKeys.includes(hit.key) && account.users.includes(hit.user)) return hit;
  index = new Map();
  for (const user of account.users) for (const key of user.accessKeys) index.set(key.accessKeyId, { user, key });
  keyIndexes.set(account.users, index);
  return index.get(id);
}

/** `ListAttached{User,Role}Policies`: a page of attached managed policies. */
export function attachedPoliciesPage(arns: string[], params: URLSearchParams): Record<string, XmlValue> {
  const { items, fields } = page(arns, params);
  return {
    AttachedPolicies: items.map(arn => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn })),
    ...fields,
  };
}

/** `List{User,Role}Policies`: a page of inline policy names. */
export function inlinePolicyNamesPage(policies: Record<string, PolicyDocument>, params: URLSearchParams): Record<string, XmlValue> {
  const { items, fields } = page(Object.keys(policies), params);
  return { PolicyNames: items, ...fields };
}

/** `Get{User,Role}Policy`: one inline policy, URL-encoded. */
export function inlinePolicy(
  policies: Record<string, PolicyDocument>,
  params: URLSearchParams,
  owner: { field: 'UserName' | 'RoleName' | 'GroupName'; name: string },
): Record<string, XmlValue> {
  const name = required(params, 'PolicyName');
  const doc = policies[name];
  if (!doc) {
    throw new AwsError('NoSuchEntity', `The ${owner.field.replace('Name', '').toLowerCase()} policy with name ${name} cannot be found.`, 404);
  }
  return { [owner.field]: owner.name, PolicyName: name, PolicyDocument: encodeDocument(doc) };
}

/**
 * `ListAttached<Kind>Policies`, `List<Kind>Policies` and `Get<Kind>Policy`
 * for users, roles or groups.
 */
export function policyHandlers<T extends { attachedPolicies: string[]; inlinePolicies: Record<string, PolicyDocument> }>(
  kind: 'User' | 'Role' | 'Group',
  find: (account: EmulatedAccount, params: URLSearchParams) => T,
  nameOf: (item: T) => string,
): Record<string, QueryHandler> {
  return {
    [`ListAttached${kind}Policies`]: (params, account) => attachedPoliciesPage(find(account, params).attachedPolicies, params),
    [`List${kind}Policies`]: (params, account) => inlinePolicyNamesPage(find(account, params).inlinePolicies, params),
    [`Get${kind}Policy`]: (params, account) => {
      const item = find(account, params);
      return inlinePolicy(item.inlinePolicies, params, { field: `${kind}Name`, name: nameOf(item) });
    },
  };
}
