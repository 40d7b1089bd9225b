import type {
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { addAuditRoutes } from '../audit/auditRoutes';
import type { InventoryStores } from '../database/types';
import type { IdentityAccess } from '../permissions';
import type { ApiRouter } from '../service/createApiRouter';
import { WaiverService } from '../service/WaiverService';
import { CampaignService } from './CampaignService';
import { DatabaseCampaignStore } from '../database/DatabaseCampaignStore';
import { DatabaseReassignmentStore } from '../database/DatabaseReassignmentStore';
import { DatabaseWaiverRequestStore } from '../database/DatabaseWaiverRequestStore';
import { DecisionService } from './DecisionService';
import { InventoryReviewIdentityWriter } from './InventoryReviewIdentityWriter';
import { OverdueEscalator } from './OverdueEscalator';
import { ReassignmentService } from './ReassignmentService';
import { ReviewAuthority } from './ReviewAuthority';
import { readReviewSettings } from './readReviewSettings';
import { addReviewRoutes } from './reviewRoutes';
import { scheduleReviews } from './scheduleReviews';
import type { RevocationRequester } from './types';

/**
 * Builds ownership reviews (campaigns, attestation, reassignments, waiver
 * requests, the audit trail's API), schedules `machine-identity-reviews` and
 * returns what plugin.ts wires: `addRoutes`, which puts the routes on the
 * spec-validating API router, and the services, for tests and other features.
 */
export async function setupReviews(deps: {
  config: Config;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  catalog: CatalogService;
  notifications: NotificationService;
  getIdentity: (id: string) => Promise<Identity | undefined>;
  knowsRule: (ruleId: string) => boolean;
  /** Re-evaluates policies of identities (the `ViolationEvaluator`). */
  evaluate: (ids: string[], now: Date) => Promise<unknown>;
  /** Re-resolves ownership of the identities an accepted reassignment moved (the `OwnershipRefresher`). */
  reresolve: (ids: string[]) => Promise<unknown>;
  revocations?: RevocationRequester;
  /** The inventory stores: decisions append to `audit` inside their transactions. */
  stores: InventoryStores;
  /** Conditional read decisions as filters (the plugin's `IdentityAccess`). */
  access?: IdentityAccess;
}) {
  const logger = deps.logger.child({ feature: 'reviews' });
  const settings = readReviewSettings(deps.config);
  const db = await deps.database.getClient();
  const { audit } = deps.stores;
  const identities = InventoryReviewIdentityWriter.create({ stores: deps.stores, reresolve: deps.reresolve });
  const campaignStore = DatabaseCampaignStore.create({ db });
  const reassignmentStore = DatabaseReassignmentStore.create({ db });
  const campaigns = CampaignService.create({ store: campaignStore, audit, identities, settings, logger });
  const decisions = DecisionService.create({
    campaigns: campaignStore,
    reassignments: reassignmentStore,
    audit,
    identities,
    revocations: deps.revocations,
    evaluate: deps.evaluate,
  });
  const reassignments = ReassignmentService.create({ store: reassignmentStore, audit, identities });
  const waivers = WaiverService.create({
    requests: DatabaseWaiverRequestStore.create({ db }),
    audit,
    getIdentity: deps.getIdentity,
    knowsRule: deps.knowsRule,
    evaluate: deps.evaluate,
  });
  const parentOf = async (groupRef: string) => {
    const entity = await deps.catalog.getEntityByRef(groupRef, {
      credentials: await deps.auth.getOwnServiceCredentials(),
    });
    const parent = (entity?.spec as { parent?: unknown } | undefined)?.parent;
    if (typeof parent !== 'string') return undefined;
    return stringifyEntityRef(
      parseEntityRef(parent, { defaultKind: 'group', defaultNamespace: entity!.metadata.namespace ?? 'default' }),
    );
  };
  const escalator = OverdueEscalator.create({
    store: campaignStore,
    audit,
    identities,
    notifications: deps.notifications,
    parentOf,
    evaluate: deps.evaluate,
    logger,
  });
  await scheduleReviews({ settings, scheduler: deps.scheduler, logger, campaigns, escalator });

  const authority = ReviewAuthority.create(deps);
  const addRoutes = (router: ApiRouter) => {
    addReviewRoutes(router, { authority, campaignStore, campaigns, decisions, reassignments, waivers, logger });
    addAuditRoutes(router, { authority, audit, getIdentity: deps.getIdentity });
  };
  return { addRoutes, campaigns, decisions, reassignments, waivers, escalator, audit };
}
