import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  machineIdentityDetailsReadPermission,
  machineIdentityReadPermission,
  machineIdentityRevokeApprovePermission,
  machineIdentityRevokeRequestPermission,
  REVOCATION_STATES,
  type Identity,
  type RetiredComponent,
  type RevocationState,
} from '@keyring/plugin-machine-identity-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import type { IdentityAccess } from '../permissions';
import { checkParams, optionalCursor, optionalEntityRef, optionalInt, optionalString } from '../service/validation';
import type { RevocationService } from './RevocationService';
import type { RevocationStore } from './types';

/** Collaborators of the revocation routes. */
export interface RevocationRouterOptions {
  service: RevocationService;
  store: RevocationStore;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  /** The permission policy on the `machine-identity` resource type (conditional `isOwner` etc.). */
  access: IdentityAccess;
  getIdentity: (id: string) => Promise<Identity | undefined>;
}

function body(req: Request, allowed: string[]): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || (typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0)) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new InputError(`Expected a JSON object with ${allowed.join(', ')}`);
  for (const key of Object.keys(b)) {
    if (!allowed.includes(key)) throw new InputError(`Unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
  return b;
}

function text(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0) throw new InputError(`${name} must be a non-empty string`);
  if (value.length > 2000) throw new InputError(`${name} is longer than 2000 characters`);
  return value;
}

/**
 * `/revocations` (list, request, read, approve, reject) and
 * `/decommissioned-components` (the Decommissioning page). Requests come from
 * users or services (`machine-identity.revoke.request`); approve and reject
 * are decisions by users (`machine-identity.revoke.approve`), taken from the
 * credentials, never the body.
 */
export async function createRevocationRouter(options: RevocationRouterOptions): Promise<express.Router> {
  const { service, store, httpAuth, userInfo, access, getIdentity } = options;
  const router = Router();
  router.use('/revocations', express.json({ limit: '16kb' }));

  const caller = (req: Request) => httpAuth.credentials(req, { allow: ['user', 'service'] });
  /**
   * Which requests the caller may read: a request names where its credential
   * lives, so it is read as the identity's details are. The policy's
   * conditions (`isOwner`: the owning team) become a query filter on the
   * request's identity; DENY is a 403.
   */
  const visibleTo = (credentials: BackstageCredentials) => access.filter(machineIdentityDetailsReadPermission, credentials);
  const actorOf = async (credentials: BackstageCredentials<BackstageUserPrincipal | BackstageServicePrincipal>) => {
    if (credentials.principal.type === 'user') {
      return (await userInfo.getUserInfo(credentials)).userEntityRef.toLowerCase();
    }
    return `service:${credentials.principal.subject}`;
  };
  /**
   * The deciding user of an approve or reject: `machine-identity.revoke.approve`
   * on the request's identity (the portal grants the owning team and admins),
   * checked as a query filter, by a user principal. A request the caller
   * cannot read is a 404, one they can read but not decide a 403.
   */
  const decider = async (req: Request) => {
    const credentials = await caller(req);
    if (!(await service.find(req.params.id, await visibleTo(credentials)))) {
      throw new NotFoundError(`No revocation request with id "${req.params.id.slice(0, 100)}"`);
    }
    const allowed = await access.filter(machineIdentityRevokeApprovePermission, credentials);
    if (!(await service.find(req.params.id, allowed))) {
      throw new NotAllowedError(`Missing permission ${machineIdentityRevokeApprovePermission.name} on the identity of revocation request ${req.params.id}: only its owning team or an admin decides it`);
    }
    if (credentials.principal.type !== 'user') {
      throw new NotAllowedError('Revocations are approved and rejected by users: separation of duties applies to user principals only');
    }
    return actorOf(credentials);
  };

  router.get('/revocations', async (req, res) => {
    const credentials = await caller(req);
    checkParams(req.query, ['state', 'owner', 'entityRef', 'identityId', 'cursor', 'limit']);
    const state = req.query.state as string | undefined;
    if (state !== undefined && !REVOCATION_STATES.includes(state as RevocationState)) {
      throw new InputError(`state must be one of ${REVOCATION_STATES.join(', ')}`);
    }
    const page = await service.list(
      {
        access: await visibleTo(credentials),
        state: state as RevocationState | undefined,
        owner: optionalEntityRef(req.query, 'owner', 'group')?.toLowerCase(),
        entityRef: optionalEntityRef(req.query, 'entityRef', 'component')?.toLowerCase(),
        identityId: optionalString(req.query, 'identityId', 64),
      },
      { cursor: optionalCursor(req.query), limit: optionalInt(req.query, 'limit', 1, 500) ?? 50 },
    );
    res.json(page);
  });

  router.post('/revocations', async (req, res) => {
    checkParams(req.query, []);
    const b = body(req, ['identityId', 'reason']);
    const identityId = text(b.identityId, 'identityId', true)!;
    const credentials = await caller(req);
    const identity = await getIdentity(identityId);
    if (!identity || !(await access.allows(machineIdentityReadPermission, identity, credentials))) {
      throw new NotFoundError(`No identity with id "${identityId.slice(0, 100)}"`);
    }
    if (!(await access.allows(machineIdentityRevokeRequestPermission, identity, credentials))) {
      throw new NotAllowedError(`Missing permission ${machineIdentityRevokeRequestPermission.name} on identity ${identityId}`);
    }
    const request = await service.request({
      identityId,
      reason: text(b.reason, 'reason', true)!,
      requestedBy: await actorOf(credentials),
      trigger: 'manual',
    });
    res.status(201).json(request);
  });

  router.get('/revocations/:id', async (req, res) => {
    const credentials = await caller(req);
    checkParams(req.query, []);
    const request = await service.find(req.params.id, await visibleTo(credentials));
    if (!request) throw new NotFoundError(`No revocation request with id "${req.params.id.slice(0, 100)}"`);
    res.json(request);
  });

  router.post('/revocations/:id/approve', async (req, res) => {
    checkParams(req.query, []);
    const b = body(req, ['comment']);
    const approver = await decider(req);
    res.json(await service.approve(req.params.id, approver, text(b.comment, 'comment', false)));
  });

  router.post('/revocations/:id/reject', async (req, res) => {
    checkParams(req.query, []);
    const b = body(req, ['comment']);
    const comment = text(b.comment, 'comment', true)!;
    const actor = await decider(req);
    res.json(await service.reject(req.params.id, actor, comment));
  });

  router.get('/decommissioned-components', async (req, res) => {
    const credentials = await caller(req);
    await access.filter(machineIdentityReadPermission, credentials);
    const visible = await visibleTo(credentials);
    checkParams(req.query, []);
    const retired = await store.listRetired();
    const refs = retired.map(r => r.entityRef);
    const flags = await store.listFlags(refs);
    const items: RetiredComponent[] = [];
    for (const r of retired) {
      const { items: requests } = await store.list({ entityRef: r.entityRef, access: visible }, { limit: 500 });
      items.push({ ...r, requests, flags: flags.filter(f => f.entityRef === r.entityRef) });
    }
    res.json({ items });
  });

  return router;
}
