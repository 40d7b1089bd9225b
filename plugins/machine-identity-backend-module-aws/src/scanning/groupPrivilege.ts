import {
  GetGroupPolicyCommand,
  paginateListAttachedGroupPolicies,
  paginateListGroupPolicies,
} from '@aws-sdk/client-iam';
import { readAllPages, type AccountScan } from './AccountScan';
import { judgeInlinePolicy, type ManagedPolicyJudge } from './policyPrivilege';

/**
 * Judges IAM groups once per scan: the administrator-level grants of each
 * group's attached and inline policies, so a user's privilege includes what
 * its groups give it. `undefined` when a group's policies could not all be read.
 */
export class GroupPrivilegeJudge {
  private readonly verdicts = new Map<string, Promise<string[] | undefined>>();

  constructor(
    private readonly scan: AccountScan,
    private readonly policies: ManagedPolicyJudge,
  ) {}

  /** The reasons a group is administrator-level (empty when it is not). */
  /** `who` (`user bob`) names the identity the group is read for in a problem. */
  judge(groupName: string, family: string, who: string): Promise<string[] | undefined> {
    let verdict = this.verdicts.get(groupName);
    if (!verdict) {
      verdict = this.read(groupName, family, who).then(v => {
        if (!v) this.verdicts.delete(groupName);
        return v;
      });
      this.verdicts.set(groupName, verdict);
    }
    return verdict;
  }

  private async read(groupName: string, family: string, who: string): Promise<string[] | undefined> {
    const { iam } = this.scan.clients;
    const location = this.scan.location('iam', 'groups', groupName);
    const q = { GroupName: groupName };
    const [attached, inline] = await Promise.all([
      readAllPages(this.scan, family, location, 'ListAttachedGroupPolicies', paginateListAttachedGroupPolicies({ client: iam }, q), p => p.AttachedPolicies),
      readAllPages(this.scan, family, location, 'ListGroupPolicies', paginateListGroupPolicies({ client: iam }, q), p => p.PolicyNames),
    ]);
    if (!attached.complete || !inline.complete) return undefined;
    const reasons: string[] = [];
    for (const policy of attached.items) {
      const verdict = await this.policies.judge(policy.PolicyArn ?? '', family, `group ${groupName} of ${who}`);
      if (!verdict) return undefined;
      if (verdict.privilegedReason) reasons.push(`group ${groupName}: ${verdict.privilegedReason}`);
    }
    for (const policyName of inline.items) {
      const what = `GetGroupPolicy ${policyName} of group ${groupName} for ${who}`;
      const doc = await this.scan.call(family, location, what, () =>
        iam.send(new GetGroupPolicyCommand({ GroupName: groupName, PolicyName: policyName })),
      );
      const { known, admin } = judgeInlinePolicy(this.scan, family, location, what, doc);
      if (!known) return undefined;
      if (admin) reasons.push(`group ${groupName}: inline policy ${policyName} allows ${admin}`);
    }
    return reasons;
  }
}
