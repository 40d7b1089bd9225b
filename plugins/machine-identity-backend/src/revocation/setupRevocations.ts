import type { AuthService, DatabaseService, HttpAuthService, LoggerService, PermissionsService, SchedulerService, UserInfoService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { isError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { MachineIdentityRevoker, ScanSourceConfig } from '@keyring/plugin-machine-identity-node';
import { createRevocationRouter } from './createRevocationRouter';
import { DatabaseRevocationStore } from './DatabaseRevocationStore';
import { DecommissionWatcher } from './DecommissionWatcher';
import { readRevocationConfig } from './readRevocationConfig';
import { RevocationExecutor } from './RevocationExecutor';
import { RevocationNotifier } from './RevocationNotifier';
import { RevocationService } from './RevocationService';
import { RevocationVerifier } from './RevocationVerifier';
import type { RevokedCredentials } from './RevokedCredentials';
import type { InventoryStores } from '../database/types';
import { identityStateOnTransition } from './identityStateOnTransition';
import type { IdentityAccess } from '../permissions';

/** Task id of the catalog watch plus execution/expiry pass. */
export const REVOCATION_TASK_ID = 'machine-identity-revocation';

/**
 * Builds the revocation workflow (store, service, executor, verifier,
 * catalog watch), schedules its pass on `machineIdentity.revocation.schedule`
 * and returns what plugin.ts wires: the service (for review decisions), the
 * router and the post-scan hook.
 */
export async function setupRevocations(deps: {
  config: Config; database: DatabaseService; scheduler: SchedulerService; logger: LoggerService;
  auth: AuthService; httpAuth: HttpAuthService; userInfo: UserInfoService; permissions: PermissionsService;
  catalog: CatalogService; notifications: NotificationService;
  revokers: MachineIdentityRevoker[];
  sources: ScanSourceConfig[];
  getIdentity: (id: string) => Promise<Identity | undefined>;
  requestScan: (sourceId: string) => Promise<unknown>;
  /** The verified-revocation cache policy evaluation reads (`any.revoked-reappeared`). */
  revoked: RevokedCredentials;
  /** The inventory: audit log and identity state, written in each transition's transaction. */
  stores: InventoryStores;
  /** The permission policy on identities, for the routes. */
  access: IdentityAccess;
}) {
  const logger = deps.logger.child({ feature: 'revocation' });
  const settings = readRevocationConfig(deps.config);
  const store = DatabaseRevocationStore.create({
    client: await deps.database.getClient(),
    audit: deps.stores.audit,
    onTransition: identityStateOnTransition(deps.stores),
  });
  const notifier = RevocationNotifier.create({ notifications: deps.notifications, logger });
  const service = RevocationService.create({ store, getIdentity: deps.getIdentity, notifier, settings });
  const executor = RevocationExecutor.create({ ...deps, store, service, notifier, logger });
  const verifier = RevocationVerifier.create({ store, notifier, logger, revoked: deps.revoked });
  deps.revoked.replace(await store.listVerifiedAt());
  const watcher = DecommissionWatcher.create({ ...deps, store, service, notifier, settings, logger });

  await deps.scheduler.scheduleTask({
    id: REVOCATION_TASK_ID,
    ...settings.schedule,
    fn: async () => {
      try {
        await watcher.run();
        await executor.processDue();
        deps.revoked.replace(await store.listVerifiedAt());
      } catch (error) {
        logger.error(`Revocation task failed: ${isError(error) ? error.message : String(error)}`);
      }
    },
  });

  return {
    service,
    store,
    executor,
    watcher,
    verifier,
    router: await createRevocationRouter({ ...deps, service, store }),
  };
}
