/**
 * Catalog backend module for Keyring: the MachineIdentity kind's processor
 * and an entity provider fed by the machine-identity backend's change feed.
 *
 * @packageDocumentation
 */
export { catalogModuleMachineIdentity as default } from './module';
export {
  MachineIdentityEntityProcessor,
  type MachineIdentityEntityProcessorOptions,
} from './processor/MachineIdentityEntityProcessor';
export {
  MachineIdentityEntityProvider,
  type EntityMapper,
  type MachineIdentityEntityProviderOptions,
  type ProviderRunSummary,
} from './provider/MachineIdentityEntityProvider';
export {
  DefaultChangeFeedClient,
  type ChangeFeedClient,
} from './provider/ChangeFeedClient';
export {
  DefaultCatalogEntityLister,
  type CatalogEntityLister,
  type ListedEntity,
} from './provider/CatalogEntityLister';
export {
  readProviderConfig,
  type MachineIdentityProviderConfig,
} from './provider/readProviderConfig';
