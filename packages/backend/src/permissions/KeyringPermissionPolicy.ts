import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  createMachineIdentityConditionalDecision,
  machineIdentityConditions,
} from '@keyring/plugin-machine-identity-backend';
import {
  MACHINE_IDENTITY_RESOURCE_TYPE,
  machineIdentityDetailsReadPermission,
  machineIdentityReadPermission,
  machineIdentityReviewCampaignCreatePermission,
  machineIdentityReviewPermission,
  machineIdentityScanTriggerPermission,
} from '@keyring/plugin-machine-identity-common';

/**
 * How members see identities of teams other than their own: `summary` (in
 * lists and totals, details restricted), `full`, or `none` (not at all).
 */
export type OtherTeamsVisibility = 'summary' | 'full' | 'none';

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };
const ADMIN_ONLY = new Set([
  machineIdentityScanTriggerPermission.name,
  machineIdentityReviewCampaignCreatePermission.name,
]);
const WRITE_ACTIONS = new Set(['create', 'update', 'delete']);

/**
 * The portal's permission policy.
 *
 * - Catalog: everyone signed in may read; writes (registering or deleting
 *   locations and entities, refreshes) are for admins only.
 * - Machine identities: members see their teams' identities in full and
 *   others' as configured ({@link OtherTeamsVisibility}, default `summary`);
 *   only the owning team may waive a rule for an identity; the owning team
 *   and admins may request, approve and reject its revocation (requests are
 *   read as details are); scans and review campaigns are for admins.
 * - Service principals (the catalog's feed reader, scripts with the static
 *   token, which `accessRestrictions` limit to reading this plugin) are allowed.
 *
 * Admins are members of the configured admin groups. Separation of duties
 * (a requester never approves their own request) is enforced by the
 * machine-identity plugin itself.
 */
export class KeyringPermissionPolicy implements PermissionPolicy {
  private readonly otherTeams: OtherTeamsVisibility;

  constructor(
    private readonly adminGroups: readonly string[],
    options: { otherTeams?: OtherTeamsVisibility } = {},
  ) {
    this.otherTeams = options.otherTeams ?? 'summary';
  }

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const { permission } = request;
    const refs = user?.info.ownershipEntityRefs ?? [];
    const admin = refs.some(ref => this.adminGroups.includes(ref));

    if (ADMIN_ONLY.has(permission.name)) {
      return admin ? ALLOW : DENY;
    }
    if (permission.name.startsWith('catalog.') && WRITE_ACTIONS.has(permission.attributes.action ?? '')) {
      return !user || admin ? ALLOW : DENY;
    }
    if (!user || !isResourcePermission(permission, MACHINE_IDENTITY_RESOURCE_TYPE)) {
      return ALLOW;
    }

    const owned = createMachineIdentityConditionalDecision(
      permission,
      machineIdentityConditions.isOwner({ claims: [...refs] }),
    );
    if (permission.name === machineIdentityReadPermission.name) {
      return admin || this.otherTeams !== 'none' ? ALLOW : owned;
    }
    if (permission.name === machineIdentityDetailsReadPermission.name) {
      return admin || this.otherTeams === 'full' ? ALLOW : owned;
    }
    // Waivers: the owning team only. Other actions (revocation requests and decisions): the owning team or an admin.
    if (permission.name === machineIdentityReviewPermission.name) {
      return owned;
    }
    return admin ? ALLOW : owned;
  }
}
