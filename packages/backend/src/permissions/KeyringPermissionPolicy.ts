import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  machineIdentityRevokeApprovePermission,
  machineIdentityScanTriggerPermission,
} from '@keyring/plugin-machine-identity-common';

/**
 * The portal's permission policy. Everyone signed in may read the catalog and
 * the inventory; triggering scans and approving revocations are reserved for
 * members of the configured admin groups (the security and platform teams).
 * Separation of duties (a requester cannot approve their own request) is
 * enforced by the machine-identity plugin itself.
 */
export class KeyringPermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroups: readonly string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const name = request.permission.name;
    if (
      name === machineIdentityScanTriggerPermission.name ||
      name === machineIdentityRevokeApprovePermission.name
    ) {
      const refs: string[] = user?.info.ownershipEntityRefs ?? [];
      return refs.some(ref => this.adminGroups.includes(ref))
        ? { result: AuthorizeResult.ALLOW }
        : { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
