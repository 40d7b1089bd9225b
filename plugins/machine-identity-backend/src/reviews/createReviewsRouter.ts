import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CAMPAIGN_STATES,
  type CampaignState,
  machineIdentityReadPermission,
  machineIdentityReviewApprovePermission,
  machineIdentityReviewCampaignCreatePermission,
  machineIdentityReviewPermission,
  type ReassignmentState,
  type WaiverRequestState,
} from '@keyring/plugin-machine-identity-common';
import express from 'express';
import Router from 'express-promise-router';
import {
  checkParams,
  optionalBool,
  optionalCursor,
  optionalEntityRef,
  optionalInt,
  optionalString,
  optionalType,
  waiverBody,
} from '../service/validation';
import type { WaiverService } from '../service/WaiverService';
import type { CampaignService } from './CampaignService';
import type { DatabaseCampaignStore, ItemFilter } from './DatabaseCampaignStore';
import type { DecisionService } from './DecisionService';
import type { ReassignmentService } from './ReassignmentService';
import type { ReviewAuthority } from './ReviewAuthority';
import { campaignBody, commentBody, decisionsBody } from './reviewValidation';

/** Collaborators of the reviews, reassignment, waiver and audit routes. */
export interface ReviewsRouterOptions {
  authority: ReviewAuthority;
  campaignStore: DatabaseCampaignStore;
  campaigns: CampaignService;
  decisions: DecisionService;
  reassignments: ReassignmentService;
  waivers: WaiverService;
  logger: LoggerService;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], key: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new InputError(`${key} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/**
 * Routes of ownership reviews (`/reviews/campaigns…`), reassignments, waiver
 * requests, as described in `src/schema/openapi.yaml`.
 * Mounted before the main router: decision batches of 1,000 items need a
 * larger body limit than its 16 kB.
 */
export async function createReviewsRouter(options: ReviewsRouterOptions): Promise<express.Router> {
  const { authority, campaignStore, campaigns, decisions, reassignments, waivers, logger } = options;
  const router = Router();
  router.use(['/reviews', '/reassignments', '/waiver-requests'], express.json({ limit: '1mb' }));
  router.use('/identities/:id/waivers', express.json({ limit: '16kb' }));

  router.get('/reviews/campaigns', async (req, res) => {
    const scope = await authority.readScope(req);
    checkParams(req.query, ['owner', 'state', 'limit']);
    const items = await campaignStore.listCampaigns({
      owner: optionalEntityRef(req.query, 'owner', 'group'),
      owners: scope.filter ? (scope.caller?.ownershipEntityRefs ?? []) : undefined,
      state: oneOf<CampaignState>(req.query.state as string | undefined, CAMPAIGN_STATES, 'state'),
      limit: optionalInt(req.query, 'limit', 1, 500) ?? 100,
    });
    res.json({ items });
  });

  router.post('/reviews/campaigns', async (req, res) => {
    checkParams(req.query, []);
    const caller = await authority.user(req, machineIdentityReviewCampaignCreatePermission, 'open review campaigns');
    const body = campaignBody(req.body);
    const opened = await campaigns.open({ ...body, openedBy: caller.userEntityRef });
    logger.info(`${caller.userEntityRef} opened ${opened.length} ownership review campaigns`);
    res.status(201).json({ items: opened });
  });

  router.get('/reviews/campaigns/:id', async (req, res) => {
    const scope = await authority.readScope(req);
    checkParams(req.query, ['decision', 'type', 'q', 'cursor', 'limit']);
    const campaign = await campaignStore.getCampaign(req.params.id);
    const visible = campaign && (!scope.filter || scope.caller?.ownershipEntityRefs.includes(campaign.owner));
    if (!visible) throw new NotFoundError(`No review campaign with id "${req.params.id.slice(0, 100)}"`);
    const decision = req.query.decision as ItemFilter['decision'];
    if (decision !== undefined && !['undecided', 'confirm', 'reassign', 'revoke'].includes(decision)) {
      throw new InputError('decision must be one of undecided, confirm, reassign, revoke');
    }
    const page = await campaignStore.listItems(
      campaign.id,
      { decision, type: optionalType(req.query), q: optionalString(req.query, 'q', 200), access: scope.filter },
      { cursor: optionalCursor(req.query), limit: optionalInt(req.query, 'limit', 1, 1000) ?? 100 },
    );
    res.json({ ...campaign, items: page.items, nextCursor: page.nextCursor });
  });

  router.post('/reviews/campaigns/:id/decisions', async (req, res) => {
    checkParams(req.query, []);
    const caller = await authority.user(req, machineIdentityReviewPermission, 'attest identities');
    const result = await decisions.decide(req.params.id, decisionsBody(req.body), caller);
    res.json(result);
  });

  router.get('/reassignments', async (req, res) => {
    checkParams(req.query, ['toOwner', 'state', 'identityId', 'awaitingMe', 'limit']);
    const limit = optionalInt(req.query, 'limit', 1, 500) ?? 100;
    if (optionalBool(req.query, 'awaitingMe')) {
      const caller = await authority.user(req, machineIdentityReadPermission, 'list what awaits them');
      res.json({ items: await reassignments.awaiting(caller, limit) });
      return;
    }
    await authority.reader(req, machineIdentityReadPermission);
    const toOwner = optionalEntityRef(req.query, 'toOwner', 'group');
    res.json({
      items: await reassignments.list({
        toOwners: toOwner ? [toOwner] : undefined,
        state: oneOf<ReassignmentState>(req.query.state as string | undefined, ['pending', 'accepted', 'rejected'], 'state'),
        identityId: optionalString(req.query, 'identityId', 200),
        limit,
      }),
    });
  });

  for (const action of ['accept', 'reject'] as const) {
    router.post(`/reassignments/:id/${action}`, async (req, res) => {
      checkParams(req.query, []);
      const caller = await authority.user(req, machineIdentityReviewPermission, `${action} reassignments`);
      const comment = commentBody(req.body);
      res.json(await reassignments[action](req.params.id, caller, comment));
    });
  }

  router.post('/identities/:id/waivers', async (req, res) => {
    checkParams(req.query, []);
    const caller = await authority.user(req, machineIdentityReviewPermission, 'request waivers');
    const body = waiverBody(req.body);
    const request = await waivers.request({ ...body, identityId: req.params.id }, caller);
    logger.info(`${caller.userEntityRef} requested a waiver of ${request.ruleId} for identity ${request.identityId}`);
    res.status(201).json(request);
  });

  router.get('/waiver-requests', async (req, res) => {
    checkParams(req.query, ['state', 'identityId', 'owner', 'awaitingMe', 'limit']);
    const limit = optionalInt(req.query, 'limit', 1, 500) ?? 100;
    if (optionalBool(req.query, 'awaitingMe')) {
      const caller = await authority.user(req, machineIdentityReviewApprovePermission, 'approve waivers');
      res.json({ items: await waivers.awaiting(caller, limit) });
      return;
    }
    await authority.reader(req, machineIdentityReadPermission);
    const owner = optionalEntityRef(req.query, 'owner', 'group');
    res.json({
      items: await waivers.list({
        state: oneOf<WaiverRequestState>(req.query.state as string | undefined, ['requested', 'approved', 'rejected'], 'state'),
        identityId: optionalString(req.query, 'identityId', 200),
        owners: owner ? [owner] : undefined,
        limit,
      }),
    });
  });

  for (const action of ['approve', 'reject'] as const) {
    router.post(`/waiver-requests/:id/${action}`, async (req, res) => {
      checkParams(req.query, []);
      const caller = await authority.user(req, machineIdentityReviewApprovePermission, `${action} waivers`);
      const request = await waivers[action](req.params.id, caller, commentBody(req.body));
      logger.info(`${caller.userEntityRef} ${request.state} waiver request ${request.id} (${request.ruleId})`);
      res.json(request);
    });
  }

  return router;
}
