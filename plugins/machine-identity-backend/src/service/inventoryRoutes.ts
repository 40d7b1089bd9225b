import type {
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  machineIdentityDetailsReadPermission,
  machineIdentityReadPermission,
  machineIdentityScanTriggerPermission,
} from '@keyring/plugin-machine-identity-common';
import type { Request } from 'express';
import type { InventoryStores } from '../database/types';
import type { IdentityAccess } from '../permissions/IdentityAccess';
import type { PolicyEngine } from '../policy/types';
import type { ScanEngine } from '../scanning/ScanEngine';
import type { ApiRouter } from './createApiRouter';
import { cursorParam, entityRefParam } from './validation';

/** Collaborators of the inventory routes. */
export interface InventoryRoutesOptions {
  store: InventoryStores;
  scanEngine: ScanEngine;
  policyEngine: PolicyEngine;
  /** The permission policy's decisions as filters (`registerMachineIdentityPermissions`). */
  access: IdentityAccess;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  logger: LoggerService;
}

/**
 * The inventory routes of `src/schema/openapi.yaml` (identities, summary,
 * sources and scans, violations, policy, the change feed, health) on the
 * spec-validating {@link ApiRouter}. Every route but `/health` needs user or
 * service credentials and a permission.
 */
export function addInventoryRoutes(router: ApiRouter, options: InventoryRoutesOptions): void {
  const { store, scanEngine, policyEngine, access, httpAuth } = options;

  const caller = (req: Request<any, any, any, any, any>) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  /** The caller's read filter; aggregate and non-identity reads only need read not to be denied. */
  const readFilter = async (req: Request<any, any, any, any, any>) =>
    access.filter(machineIdentityReadPermission, await caller(req));

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/identities', async (req, res) => {
    const readable = await readFilter(req);
    const { cursor, limit, owner, entityRef, sort, ...filter } = req.query;
    const page = await store.identities.list(
      {
        ...filter,
        access: readable,
        owner: entityRefParam(owner, 'owner', 'group'),
        entityRef: entityRefParam(entityRef, 'entityRef', 'component'),
      },
      { cursor: cursorParam(cursor), limit: limit ?? 50, now: new Date().toISOString(), sort: sort ?? 'urgency' },
    );
    res.json(page);
  });

  router.get('/identities/:id', async (req, res) => {
    const credentials = await caller(req);
    const id = req.params.id;
    // Both asked at once: the identity with its details in one statement, both decisions in one
    // request (the details are dropped unread when the caller may not see them).
    const [detail, decide] = await Promise.all([
      store.identities.getDetail(id),
      access.decider([machineIdentityReadPermission, machineIdentityDetailsReadPermission], credentials),
    ]);
    const [mayRead, mayReadDetails] = detail ? decide(detail.identity) : [false, false];
    // An identity the caller may not read is as unknown as one that does not exist.
    if (!detail || !mayRead) {
      throw new NotFoundError(`No identity with id "${id.slice(0, 100)}"`);
    }
    const { identity, observations, violations, history } = detail;
    if (!mayReadDetails) {
      res.json({ ...identity, observations: [], violations: [], history: [], restricted: true });
      return;
    }
    res.json({ ...identity, observations, violations, history });
  });

  router.get('/summary', async (req, res) => {
    await readFilter(req);
    const [summary, byRule] = await Promise.all([
      store.identities.getSummary(new Date().toISOString()),
      store.violations.countOpenByRule(),
    ]);
    res.json({ ...summary, byRule });
  });

  router.get('/sources', async (req, res) => {
    await readFilter(req);
    res.json({ items: await scanEngine.listSources() });
  });

  router.post('/sources/:id/scan', async (req, res) => {
    const credentials = await caller(req);
    // An unknown source is a 404 for every caller (DESIGN's API contract); then the permission.
    if (!(await scanEngine.listSources()).some(source => source.id === req.params.id)) {
      throw new NotFoundError(`No source with id "${req.params.id.slice(0, 100)}" is configured`);
    }
    await access.require(machineIdentityScanTriggerPermission, credentials);
    const { scanId, alreadyRunning } = await scanEngine.requestScan(req.params.id);
    res.status(202).json({ scanId, alreadyRunning });
  });

  router.get('/scans/:scanId', async (req, res) => {
    await readFilter(req);
    const run = await store.scanRuns.get(req.params.scanId);
    if (!run) {
      throw new NotFoundError(`No scan with id "${req.params.scanId.slice(0, 100)}"`);
    }
    res.json(run);
  });

  router.get('/violations', async (req, res) => {
    const readable = await readFilter(req);
    const { entityRef, owner, ruleId, cursor, limit } = req.query;
    res.json(
      await store.violations.list(
        {
          access: readable,
          entityRef: entityRefParam(entityRef, 'entityRef', 'component'),
          owner: entityRefParam(owner, 'owner', 'group'),
          ruleId,
        },
        { cursor: cursorParam(cursor), limit: limit ?? 50 },
      ),
    );
  });

  router.get('/policy', async (req, res) => {
    await readFilter(req);
    res.json(policyEngine.describe());
  });

  router.get('/changes', async (req, res) => {
    const readable = await readFilter(req);
    res.json(await store.changes.list(req.query.since ?? 0, req.query.limit ?? 500, readable));
  });
}
