import type { BackstageCredentials, HttpAuthService, PermissionsService, UserInfoService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type BasicPermission, type ResourcePermission } from '@backstage/plugin-permission-common';
import { machineIdentityReadPermission } from '@keyring/plugin-machine-identity-common';
import type { Request } from 'express';
import type { IdentityAccessFilter } from '../database/types';
import type { IdentityAccess } from '../permissions';
import type { ReviewCaller } from './types';

/** Any route's request, whatever its typed params, query and body. */
type AnyRequest = Request<any, any, any, any, any>;

/**
 * What a reader of reviews may see. `filter` is the policy's condition on
 * `machine-identity.read` (absent: everything); under a condition, campaigns
 * are limited to the caller's own Groups and audit events to identities the
 * condition allows or the caller's own actions.
 */
export interface ReadScope {
  credentials: BackstageCredentials;
  filter?: IdentityAccessFilter;
  caller?: ReviewCaller;
}

/**
 * Who is calling a review route and what they may do: credentials from
 * `httpAuth`, Group membership from `userInfo` (the catalog's `memberOf`), and
 * the permission framework's decision. Decisions are always taken by users:
 * service principals may read, never attest or approve.
 */
export class ReviewAuthority {
  private constructor(
    private readonly httpAuth: HttpAuthService,
    private readonly userInfo: UserInfoService,
    private readonly permissions: PermissionsService,
    private readonly access: IdentityAccess | undefined,
  ) {}

  static create(options: {
    httpAuth: HttpAuthService;
    userInfo: UserInfoService;
    permissions: PermissionsService;
    /** Turns conditional read decisions into filters; without it conditions are not applied. */
    access?: IdentityAccess;
  }): ReviewAuthority {
    return new ReviewAuthority(options.httpAuth, options.userInfo, options.permissions, options.access);
  }

  /** The reader's scope under `machine-identity.read` (DENY: `NotAllowedError`). */
  async readScope(req: AnyRequest): Promise<ReadScope> {
    const credentials = await this.reader(req, machineIdentityReadPermission);
    const filter = this.access ? await this.access.filter(machineIdentityReadPermission, credentials) : undefined;
    if (!filter) return { credentials };
    const isUser = (credentials.principal as { type?: string }).type === 'user';
    const caller = isUser ? await this.callerOf(credentials) : undefined;
    return { credentials, filter, caller };
  }

  /** Whether the scope allows reading this identity. */
  async canRead(scope: ReadScope, identity: Parameters<IdentityAccess['allows']>[1]): Promise<boolean> {
    if (!scope.filter || !this.access) return true;
    return this.access.allows(machineIdentityReadPermission, identity, scope.credentials);
  }

  /** A user or service allowed `permission` (a basic permission, or a resource one without a resource). */
  async reader(req: AnyRequest, permission: BasicPermission | ResourcePermission): Promise<BackstageCredentials> {
    const credentials = await this.httpAuth.credentials(req, { allow: ['user', 'service'] });
    await this.check(credentials, permission);
    return credentials;
  }

  /**
   * The signed-in user, allowed `permission`. A conditional answer (the
   * portal's `isOwner` rule for `machine-identity.review`) passes here: the
   * caller then checks Group membership against the object acted on, which is
   * what `isOwner` means.
   */
  async user(req: AnyRequest, permission: BasicPermission | ResourcePermission, doing: string): Promise<ReviewCaller> {
    const credentials = await this.httpAuth.credentials(req, { allow: ['user', 'service'] });
    if (credentials.principal.type !== 'user') {
      throw new NotAllowedError(
        `Only a signed-in user can ${doing}: owner and separation-of-duties checks apply to people, not services`,
      );
    }
    await this.check(credentials, permission);
    return this.callerOf(credentials);
  }

  private async callerOf(credentials: BackstageCredentials): Promise<ReviewCaller> {
    const info = await this.userInfo.getUserInfo(credentials as BackstageCredentials<any>);
    return {
      userEntityRef: info.userEntityRef.toLowerCase(),
      ownershipEntityRefs: info.ownershipEntityRefs.map(r => r.toLowerCase()),
    };
  }

  private async check(credentials: BackstageCredentials, permission: BasicPermission | ResourcePermission) {
    const [decision] =
      permission.type === 'resource'
        ? await this.permissions.authorizeConditional([{ permission }], { credentials })
        : await this.permissions.authorize([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
  }
}

/** Whether the caller is a member of `groupRef` (or is it). */
export function isMember(caller: ReviewCaller, groupRef: string | undefined): boolean {
  return Boolean(groupRef) && caller.ownershipEntityRefs.includes(groupRef!.toLowerCase());
}

/** Refuses a non-member with a message naming the Group. */
export function requireMember(caller: ReviewCaller, groupRef: string | undefined, doing: string): void {
  if (!isMember(caller, groupRef)) {
    throw new NotAllowedError(
      `${caller.userEntityRef} is not a member of ${groupRef ?? 'the owning Group'}: only its members can ${doing}`,
    );
  }
}

/** Separation of duties: whoever asked for something cannot approve it. */
export function requireSecondPerson(caller: ReviewCaller, requestedBy: string, what: string): void {
  if (caller.userEntityRef === requestedBy.toLowerCase()) {
    throw new NotAllowedError(
      `Separation of duties: ${caller.userEntityRef} requested this ${what} and cannot also approve it; another person must decide`,
    );
  }
}
