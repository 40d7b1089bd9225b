import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  type CatalogProcessor,
  catalogProcessingExtensionPoint,
  catalogServiceRef,
  type EntityProvider,
  type EntityProviderMutation,
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
 * module's processor (the benchmark compares versions of it); `onMutation`
 * sees every mutation the provider applies, in order, before the catalog does.
 */
export function providerHandleModule(
  onProvider: (provider: MachineIdentityEntityProvider) => void,
  options: Partial<MachineIdentityEntityProviderOptions> = {},
  processor: CatalogProcessor = new MachineIdentityEntityProcessor(),
  onMutation?: (mutation: EntityProviderMutation) => void,
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
          catalog.addEntityProvider(onMutation ? recording(provider, onMutation) : provider);
          onProvider(provider);
        },
      });
    },
  });
}

/** The provider under its own name, handing each mutation to `onMutation` on its way to the catalog. */
function recording(
  provider: MachineIdentityEntityProvider,
  onMutation: (mutation: EntityProviderMutation) => void,
): EntityProvider {
  return {
    getProviderName: () => provider.getProviderName(),
    connect: connection =>
      provider.connect({
        applyMutation: async mutation => {
          onMutation(mutation);
          await connection.applyMutation(mutation);
        },
        refresh: options => connection.refresh(options),
      }),
  };
}
