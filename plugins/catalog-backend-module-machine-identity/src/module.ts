import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { MachineIdentityEntityProcessor } from './processor/MachineIdentityEntityProcessor';
import { DefaultCatalogEntityLister } from './provider/CatalogEntityLister';
import { DefaultChangeFeedClient } from './provider/ChangeFeedClient';
import { MachineIdentityEntityProvider } from './provider/MachineIdentityEntityProvider';
import { readProviderConfig } from './provider/readProviderConfig';

/**
 * Catalog module for Keyring: the MachineIdentity kind's processor and an
 * entity provider that mirrors the machine-identity backend's inventory.
 */
export const catalogModuleMachineIdentity = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'machine-identity',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        catalogService: catalogServiceRef,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, catalogService, config, discovery, auth, logger, scheduler }) {
        const settings = readProviderConfig(config);
        const provider = MachineIdentityEntityProvider.create({
          feed: DefaultChangeFeedClient.create({ discovery, auth }),
          lister: new DefaultCatalogEntityLister(catalogService, auth),
          logger: logger.child({ provider: 'MachineIdentityEntityProvider' }),
          retentionMs: settings.retentionMs,
          batchSize: settings.batchSize,
          removalGuardMaxShare: settings.removalGuardMaxShare,
          removalGuardMinCount: settings.removalGuardMinCount,
          namespace: settings.namespace,
          orderWindow: settings.orderWindow,
        });
        catalog.addProcessor(
          new MachineIdentityEntityProcessor({ ownerSideRelations: settings.ownerSideRelations }),
        );
        catalog.addEntityProvider(provider);

        await scheduler.scheduleTask({
          id: 'machine-identity-catalog-poll',
          ...settings.schedule,
          fn: async () => {
            await provider.poll().catch(error =>
              logger.warn(`Machine identity catalog poll failed: ${error}`),
            );
          },
        });
        await scheduler.scheduleTask({
          id: 'machine-identity-catalog-reconcile',
          ...settings.reconcileSchedule,
          fn: async () => {
            await provider.reconcile().catch(error =>
              logger.warn(`Machine identity catalog reconcile failed: ${error}`),
            );
          },
        });
      },
    });
  },
});
