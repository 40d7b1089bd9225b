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
  EntityOwnershipReviewContent,
  EntityMachineIdentityOverviewCard,
  EntityMachineIdentityDetailsContent,
  DecommissioningPage,
  EntityRevocationsCard,
  EntityDecommissionedWarning,
} from './plugin';
export { rootRouteRef, decommissioningRouteRef } from './routes';
export {
  EntityMachineIdentityScorecardCard,
  EntityMachineIdentityScorecardContent,
  MachineIdentityEvidenceExportButton,
} from './plugin';
export { isMachineIdentityAvailable } from './isMachineIdentityAvailable';
export { machineIdentityApiRef } from './api/MachineIdentityApi';
export type {
  MachineIdentityApi,
  IdentityQuery,
  ViolationQuery,
  ViolationListItem,
  PolicyRule,
  MachineIdentitySummary,
  RevocationQuery,
  ReviewCampaignQuery,
  ReviewItemQuery,
  ReassignmentQuery,
  WaiverRequestQuery,
} from './api/MachineIdentityApi';
export { MachineIdentityClient } from './api/MachineIdentityClient';
