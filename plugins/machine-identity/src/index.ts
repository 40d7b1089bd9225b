/**
 * Keyring's frontend: the Machine identities entity tab, the overview page,
 * entity cards and the MachineIdentity entity page content.
 *
 * @packageDocumentation
 */
export {
  machineIdentityPlugin,
  MachineIdentityPage,
  EntityMachineIdentityContent,
  EntityMachineIdentityOverviewCard,
  EntityMachineIdentityDetailsContent,
} from './plugin';
export { rootRouteRef } from './routes';
export { isMachineIdentityAvailable } from './isMachineIdentityAvailable';
export { machineIdentityApiRef } from './api/MachineIdentityApi';
export type {
  MachineIdentityApi,
  IdentityQuery,
  ViolationQuery,
  ViolationListItem,
  PolicyRule,
  MachineIdentitySummary,
} from './api/MachineIdentityApi';
export { MachineIdentityClient } from './api/MachineIdentityClient';
