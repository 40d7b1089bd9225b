import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  type CatalogProcessor,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { MachineIdentityEntityProcessor } from '../processor/MachineIdentityEntityProcessor';
import { DefaultCatalogEntityLister } from '../provider/CatalogEntityLister';
import { DefaultChangeFeedClient } from '../provider/ChangeFeedClient';
import {
  MachineIdentityEntityProvider,
  type MachineIdentityEntityProviderOptions,
} from '../provider/MachineIdentityEntityProvider';

/**
 * The module's processor and provider wired like the real module, without
 * schedules, handing the provider to the caller so tests and the benchmark
 * can drive polls and reconciles themselves. `processor` replaces the
 * module's processor (the benchmark compares versions of it).
 */
export function providerHandleModule(
  onProvider: (provider: MachineIdentityEntityProvider) => void,
  options: Partial<MachineIdentityEntityProviderOptions> = {},
  processor: CatalogProcessor = new MachineIdentityEntityProcessor(),
) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'machine-identity-under-test',
    register(env) {
      env.registerInit({
        deps: {
          catalog: catalogProcessingExtensionPoint,
          catalogService: catalogServiceRef,
          discovery: coreServices.discovery,
          auth: coreServices.auth,
          logger: coreServices.logger,
        },
        async init({ catalog, catalogService, discovery, auth, logger }) {
          const provider = MachineIdentityEntityProvider.create({
            feed: DefaultChangeFeedClient.create({ discovery, auth }),
            lister: new DefaultCatalogEntityLister(catalogService, auth),
            logger,
            retentionMs: 30 * 86_400_000,
            ...options,
          });
          catalog.addProcessor(processor);
          catalog.addEntityProvider(provider);
          onProvider(provider);
        },
      });
    },
  });
}
