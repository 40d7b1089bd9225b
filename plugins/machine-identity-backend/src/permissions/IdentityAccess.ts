import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
  type PolicyDecision,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  type PermissionRuleset,
} from '@backstage/plugin-permission-node';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { IdentityAccessCondition, IdentityAccessFilter } from '../database/types';

/**
 * Turns the permission policy's decisions on the `machine-identity` resource
 * type into what the API does: an unconditional ALLOW reads everything, a
 * conditional decision becomes a query filter (lists) or a check of one
 * loaded identity (details), a DENY is a `NotAllowedError`.
 */
export class IdentityAccess {
  private readonly toFilter: (conditions: any) => IdentityAccessFilter;
  private readonly allowsResource: (decision: PolicyDecision, identity: Identity) => boolean;

  private constructor(
    private readonly permissions: PermissionsService,
    ruleset: PermissionRuleset<Identity, IdentityAccessCondition>,
  ) {
    this.toFilter = createConditionTransformer(ruleset);
    this.allowsResource = createConditionAuthorizer(ruleset);
  }

  /** Creates it over the permissions service and the resource type's registered rules. */
  static create(options: {
    permissions: PermissionsService;
    ruleset: PermissionRuleset<Identity, IdentityAccessCondition>;
  }): IdentityAccess {
    return new IdentityAccess(options.permissions, options.ruleset);
  }

  /** Requires an unconditional ALLOW of a basic permission. */
  async require(permission: BasicPermission, credentials: BackstageCredentials): Promise<void> {
    const [decision] = await this.permissions.authorize([{ permission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
  }

  /**
   * The caller's filter for a resource permission: `undefined` for every
   * identity, the policy's conditions otherwise. Throws `NotAllowedError` on DENY.
   */
  async filter(permission: ResourcePermission, credentials: BackstageCredentials): Promise<IdentityAccessFilter | undefined> {
    const decision = await this.decide(permission, credentials);
    return decision.result === AuthorizeResult.CONDITIONAL ? this.toFilter(decision.conditions) : undefined;
  }

  /** Whether the policy grants a resource permission on this identity (DENY or unmet conditions: false). */
  async allows(permission: ResourcePermission, identity: Identity, credentials: BackstageCredentials): Promise<boolean> {
    const [decision] = await this.permissions.authorizeConditional([{ permission }], { credentials });
    return this.allowsResource(decision, identity);
  }

  /**
   * The decisions on several resource permissions, asked in one request before the
   * identity is known; the answer applies them to an identity (read once they and it arrive).
   */
  async decider(
    permissions: ResourcePermission[],
    credentials: BackstageCredentials,
  ): Promise<(identity: Identity) => boolean[]> {
    const decisions = await this.permissions.authorizeConditional(
      permissions.map(permission => ({ permission })),
      { credentials },
    );
    return identity => decisions.map(decision => this.allowsResource(decision, identity));
  }

  private async decide(permission: ResourcePermission, credentials: BackstageCredentials) {
    const [decision] = await this.permissions.authorizeConditional([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return decision;
  }
}
