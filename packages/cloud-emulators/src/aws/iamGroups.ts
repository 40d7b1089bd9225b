import type { QueryHandler } from './iamUsers';
import { findBy, iamArn, page, policyHandlers, required, requireUser } from './lookup';
import type { EmulatedAccount } from './types';
import { AwsError } from './xml';

function requireGroup(account: EmulatedAccount, params: URLSearchParams) {
  const name = required(params, 'GroupName');
  const group = findBy(account.groups ?? [], g => g.groupName, name);
  if (!group) throw new AwsError('NoSuchEntity', `The group with name ${name} cannot be found.`, 404);
  return group;
}

/** IAM group operations: a user's groups and the groups' policies. */
export const iamGroupHandlers: Record<string, QueryHandler> = {
  ListGroupsForUser(params, account) {
    const u = requireUser(account, params);
    const groups = (u.groups ?? []).map(name => findBy(account.groups ?? [], g => g.groupName, name)).filter(g => g !== undefined);
    const { items, fields } = page(groups, params);
    return {
      Groups: items.map(g => ({ Path: g.path, GroupName: g.groupName, GroupId: g.groupId, Arn: iamArn(account, 'group', g.path, g.groupName), CreateDate: g.createDate })),
      ...fields,
    };
  },
  ...policyHandlers('Group', requireGroup, x => x.groupName),
};
