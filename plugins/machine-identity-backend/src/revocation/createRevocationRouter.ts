import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult, type Permission } from '@backstage/plugin-permission-common';
import {
  machineIdentityReadPermission,
  machineIdentityRevokeApprovePermission,
  machineIdentityRevokeRequestPermission,
  REVOCATION_STATES,
  type RetiredComponent,
  type RevocationState,
} from '@keyring/plugin-machine-identity-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import { checkParams, optionalCursor, optionalEntityRef, optionalInt, optionalString } from '../service/validation';
import type { RevocationService } from './RevocationService';
import type { RevocationStore } from './types';

/** Collaborators of the revocation routes. */
export interface RevocationRouterOptions {
  service: RevocationService;
  store: RevocationStore;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
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
  const { service, store, httpAuth, userInfo, permissions } = options;
  const router = Router();
  router.use('/revocations', express.json({ limit: '16kb' }));

  const authorize = async (req: Request, permission: Permission, resourceRef?: string) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const [decision] = await permissions.authorize([{ permission, resourceRef } as any], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return credentials;
  };
  const actorOf = async (credentials: BackstageCredentials<BackstageUserPrincipal | BackstageServicePrincipal>) => {
    if (credentials.principal.type === 'user') {
      return (await userInfo.getUserInfo(credentials)).userEntityRef.toLowerCase();
    }
    return `service:${credentials.principal.subject}`;
  };
  const decider = async (req: Request) => {
    const credentials = await authorize(req, machineIdentityRevokeApprovePermission);
    if (credentials.principal.type !== 'user') {
      throw new NotAllowedError('Revocations are approved and rejected by users: separation of duties applies to user principals only');
    }
    return actorOf(credentials);
  };

  router.get('/revocations', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, ['state', 'owner', 'entityRef', 'identityId', 'cursor', 'limit']);
    const state = req.query.state as string | undefined;
    if (state !== undefined && !REVOCATION_STATES.includes(state as RevocationState)) {
      throw new InputError(`state must be one of ${REVOCATION_STATES.join(', ')}`);
    }
    res.json(
      await service.list(
        {
          state: state as RevocationState | undefined,
          owner: optionalEntityRef(req.query, 'owner', 'group')?.toLowerCase(),
          entityRef: optionalEntityRef(req.query, 'entityRef', 'component')?.toLowerCase(),
          identityId: optionalString(req.query, 'identityId', 64),
        },
        { cursor: optionalCursor(req.query), limit: optionalInt(req.query, 'limit', 1, 500) ?? 50 },
      ),
    );
  });

  router.post('/revocations', async (req, res) => {
    checkParams(req.query, []);
    const b = body(req, ['identityId', 'reason']);
    const identityId = text(b.identityId, 'identityId', true)!;
    const credentials = await authorize(req, machineIdentityRevokeRequestPermission, identityId);
    const request = await service.request({
      identityId,
      reason: text(b.reason, 'reason', true)!,
      requestedBy: await actorOf(credentials),
      trigger: 'manual',
    });
    res.status(201).json(request);
  });

  router.get('/revocations/:id', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    res.json(await service.get(req.params.id));
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
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    const retired = await store.listRetired();
    const refs = retired.map(r => r.entityRef);
    const flags = await store.listFlags(refs);
    const items: RetiredComponent[] = [];
    for (const r of retired) {
      const { items: requests } = await store.list({ entityRef: r.entityRef }, { limit: 500 });
      items.push({ ...r, requests, flags: flags.filter(f => f.entityRef === r.entityRef) });
    }
    res.json({ items });
  });

  return router;
}
