import type {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  machineIdentityReadPermission,
  machineIdentityReviewPermission,
  machineIdentityScanTriggerPermission,
  type IdentityDetails,
} from '@keyring/plugin-machine-identity-common';
import express, { type Request } from 'express';
import Router from 'express-promise-router';
import type { InventoryStores } from '../database/types';
import type { PolicyEngine } from '../policy/types';
import type { ScanEngine } from '../scanning/ScanEngine';
import type { WaiverService } from './WaiverService';
import {
  checkParams,
  optionalBool,
  optionalCursor,
  optionalEntityRef,
  optionalInt,
  optionalRuleId,
  optionalState,
  optionalString,
  optionalType,
  waiverBody,
} from './validation';

/** Collaborators of the REST API. */
export interface RouterOptions {
  store: InventoryStores;
  scanEngine: ScanEngine;
  policyEngine: PolicyEngine;
  waivers: WaiverService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  logger: LoggerService;
}

/**
 * The REST API described in `src/schema/openapi.yaml`. Every route but
 * `/health` needs user or service credentials and a permission.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { store, scanEngine, policyEngine, waivers, httpAuth, userInfo, permissions } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  const authorize = async (
    req: Request,
    permission: BasicPermission | ResourcePermission,
  ) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const [decision] = await permissions.authorize([{ permission } as any], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
  };

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/identities', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, ['type', 'owner', 'entityRef', 'state', 'expiresWithinDays', 'violating', 'q', 'cursor', 'limit']);
    const page = await store.identities.list(
      {
        type: optionalType(req.query),
        owner: optionalEntityRef(req.query, 'owner', 'group'),
        entityRef: optionalEntityRef(req.query, 'entityRef', 'component'),
        state: optionalState(req.query),
        expiresWithinDays: optionalInt(req.query, 'expiresWithinDays', 0, 3650),
        violating: optionalBool(req.query, 'violating'),
        q: optionalString(req.query, 'q', 200),
      },
      {
        cursor: optionalCursor(req.query),
        limit: optionalInt(req.query, 'limit', 1, 500) ?? 50,
        now: new Date().toISOString(),
      },
    );
    res.json(page);
  });

  router.get('/identities/:id', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    const identity = await store.identities.get(req.params.id);
    if (!identity) {
      throw new NotFoundError(`No identity with id "${req.params.id.slice(0, 100)}"`);
    }
    const [observations, violations, history] = await Promise.all([
      store.identities.getObservations(identity.id),
      store.violations.getOpen(identity.id),
      store.audit.getHistory(identity.id),
    ]);
    const details: IdentityDetails = { ...identity, observations, violations, history };
    res.json(details);
  });

  router.post('/identities/:id/waivers', async (req, res) => {
    checkParams(req.query, []);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    if (credentials.principal.type !== 'user') {
      throw new NotAllowedError(
        'Waivers are approved by users: owner and separation-of-duties checks apply to user principals only',
      );
    }
    const [decision] = await permissions.authorize(
      [{ permission: machineIdentityReviewPermission, resourceRef: req.params.id }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${machineIdentityReviewPermission.name}`);
    }
    const body = waiverBody(req.body);
    const { userEntityRef } = await userInfo.getUserInfo(credentials);
    const waiver = await waivers.grant({ ...body, identityId: req.params.id, approver: userEntityRef });
    options.logger.info(
      `${userEntityRef} waived ${waiver.ruleId} for identity ${waiver.identityId} until ${waiver.expiresAt}`,
    );
    res.status(201).json(waiver);
  });

  router.get('/summary', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    res.json(await store.identities.getSummary(new Date().toISOString()));
  });

  router.get('/sources', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    res.json({ items: await scanEngine.listSources() });
  });

  router.post('/sources/:id/scan', async (req, res) => {
    await authorize(req, machineIdentityScanTriggerPermission);
    checkParams(req.query, []);
    const { scanId, alreadyRunning } = await scanEngine.requestScan(req.params.id);
    res.status(202).json({ scanId, alreadyRunning });
  });

  router.get('/scans/:scanId', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    const run = await store.scanRuns.get(req.params.scanId);
    if (!run) {
      throw new NotFoundError(`No scan with id "${req.params.scanId.slice(0, 100)}"`);
    }
    res.json(run);
  });

  router.get('/violations', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, ['entityRef', 'owner', 'ruleId', 'cursor', 'limit']);
    res.json(
      await store.violations.list(
        {
          entityRef: optionalEntityRef(req.query, 'entityRef', 'component'),
          owner: optionalEntityRef(req.query, 'owner', 'group'),
          ruleId: optionalRuleId(req.query),
        },
        {
          cursor: optionalCursor(req.query),
          limit: optionalInt(req.query, 'limit', 1, 500) ?? 50,
        },
      ),
    );
  });

  router.get('/policy', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, []);
    res.json(policyEngine.describe());
  });

  router.get('/changes', async (req, res) => {
    await authorize(req, machineIdentityReadPermission);
    checkParams(req.query, ['since', 'limit']);
    res.json(
      await store.changes.list(
        optionalInt(req.query, 'since', 0, Number.MAX_SAFE_INTEGER) ?? 0,
        optionalInt(req.query, 'limit', 1, 1000) ?? 500,
      ),
    );
  });

  return router;
}
