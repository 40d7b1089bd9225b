import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  machineIdentityReadPermission,
  machineIdentityReviewApprovePermission,
  machineIdentityReviewCampaignCreatePermission,
  machineIdentityReviewPermission,
} from '@keyring/plugin-machine-identity-common';
import type { ApiRouter } from '../service/createApiRouter';
import { cursorParam, entityRefParam } from '../service/validation';
import type { WaiverService } from '../service/WaiverService';
import type { CampaignService } from './CampaignService';
import type { DatabaseCampaignStore } from '../database/DatabaseCampaignStore';
import type { DecisionService } from './DecisionService';
import type { ReassignmentService } from './ReassignmentService';
import type { ReviewAuthority } from './ReviewAuthority';
import { decisionInputs, groupRef, trimmedComment } from './reviewInput';

/** Collaborators of the reviews, reassignment and waiver routes. */
export interface ReviewRoutesOptions {
  authority: ReviewAuthority;
  campaignStore: DatabaseCampaignStore;
  campaigns: CampaignService;
  decisions: DecisionService;
  reassignments: ReassignmentService;
  waivers: WaiverService;
  logger: LoggerService;
}

/**
 * Routes of ownership reviews (`/reviews/campaigns…`), reassignments and
 * waiver requests on the spec-validating {@link ApiRouter}: the spec checks
 * parameters and bodies, the handlers check who may act and what the
 * workflow allows.
 */
export function addReviewRoutes(router: ApiRouter, options: ReviewRoutesOptions): void {
  const { authority, campaignStore, campaigns, decisions, reassignments, waivers, logger } = options;

  router.get('/reviews/campaigns', async (req, res) => {
    const scope = await authority.readScope(req);
    const items = await campaignStore.listCampaigns({
      owner: entityRefParam(req.query.owner, 'owner', 'group'),
      owners: scope.filter ? (scope.caller?.ownershipEntityRefs ?? []) : undefined,
      state: req.query.state,
      limit: req.query.limit ?? 100,
    });
    res.json({ items });
  });

  router.post('/reviews/campaigns', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewCampaignCreatePermission, 'open review campaigns');
    const { owner, dueInDays } = req.body ?? {};
    const opened = await campaigns.open({
      owner: owner ? groupRef(owner, 'owner') : undefined,
      dueInDays,
      openedBy: caller.userEntityRef,
    });
    logger.info(`${caller.userEntityRef} opened ${opened.length} ownership review campaigns`);
    res.status(201).json({ items: opened });
  });

  router.get('/reviews/campaigns/:id', async (req, res) => {
    const scope = await authority.readScope(req);
    const campaign = await campaignStore.getCampaign(req.params.id);
    const visible = campaign && (!scope.filter || scope.caller?.ownershipEntityRefs.includes(campaign.owner));
    if (!visible) throw new NotFoundError(`No review campaign with id "${req.params.id.slice(0, 100)}"`);
    const { decision, type, q, cursor, limit } = req.query;
    const page = await campaignStore.listItems(
      campaign.id,
      { decision, type, q, access: scope.filter },
      { cursor: cursorParam(cursor), limit: limit ?? 100 },
    );
    res.json({ ...campaign, items: page.items, nextCursor: page.nextCursor });
  });

  router.post('/reviews/campaigns/:id/decisions', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewPermission, 'attest identities');
    res.json(await decisions.decide(req.params.id, decisionInputs(req.body.decisions), caller));
  });

  router.get('/reassignments', async (req, res) => {
    const { toOwner, state, identityId, awaitingMe, limit = 100 } = req.query;
    if (awaitingMe) {
      const caller = await authority.user(req, machineIdentityReadPermission, 'list what awaits them');
      res.json({ items: await reassignments.awaiting(caller, limit) });
      return;
    }
    await authority.reader(req, machineIdentityReadPermission);
    const receiving = entityRefParam(toOwner, 'toOwner', 'group');
    res.json({ items: await reassignments.list({ toOwners: receiving ? [receiving] : undefined, state, identityId, limit }) });
  });

  router.post('/reassignments/:id/accept', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewPermission, 'accept reassignments');
    res.json(await reassignments.accept(req.params.id, caller, trimmedComment(req.body)));
  });

  router.post('/reassignments/:id/reject', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewPermission, 'reject reassignments');
    res.json(await reassignments.reject(req.params.id, caller, trimmedComment(req.body)));
  });

  router.post('/identities/:id/waivers', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewPermission, 'request waivers');
    const { ruleId, reason, expiresAt } = req.body;
    const request = await waivers.request({ ruleId, reason, expiresAt, identityId: req.params.id }, caller);
    logger.info(`${caller.userEntityRef} requested a waiver of ${request.ruleId} for identity ${request.identityId}`);
    res.status(201).json(request);
  });

  router.get('/waiver-requests', async (req, res) => {
    const { state, identityId, owner, awaitingMe, limit = 100 } = req.query;
    if (awaitingMe) {
      const caller = await authority.user(req, machineIdentityReviewApprovePermission, 'approve waivers');
      res.json({ items: await waivers.awaiting(caller, limit) });
      return;
    }
    await authority.reader(req, machineIdentityReadPermission);
    const ownerRef = entityRefParam(owner, 'owner', 'group');
    res.json({ items: await waivers.list({ state, identityId, owners: ownerRef ? [ownerRef] : undefined, limit }) });
  });

  router.post('/waiver-requests/:id/approve', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewApprovePermission, 'approve waivers');
    const request = await waivers.approve(req.params.id, caller, trimmedComment(req.body));
    logger.info(`${caller.userEntityRef} approved waiver request ${request.id} (${request.ruleId})`);
    res.json(request);
  });

  router.post('/waiver-requests/:id/reject', async (req, res) => {
    const caller = await authority.user(req, machineIdentityReviewApprovePermission, 'reject waivers');
    const request = await waivers.reject(req.params.id, caller, trimmedComment(req.body));
    logger.info(`${caller.userEntityRef} rejected waiver request ${request.id} (${request.ruleId})`);
    res.json(request);
  });
}
