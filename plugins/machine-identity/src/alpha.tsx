import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { isMachineIdentityEntityKind } from './isMachineIdentityEntityKind';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { machineIdentityApiRef } from './api/MachineIdentityApi';
import { MachineIdentityClient } from './api/MachineIdentityClient';
import { isMachineIdentityAvailable } from './isMachineIdentityAvailable';

const overviewRouteRef = createRouteRef();
const decommissioningRouteRef = createRouteRef();

/** The MachineIdentityApi for the new frontend system. */
const machineIdentityApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: machineIdentityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MachineIdentityClient({ discoveryApi, fetchApi }),
    }),
});

/** The `/machine-identities` overview page. */
const machineIdentityPage = PageBlueprint.make({
  params: {
    path: '/machine-identities',
    title: 'Machine identities',
    // A page with an icon gets the new frontend system's sidebar item.
    icon: <VpnKeyIcon fontSize="inherit" />,
    routeRef: overviewRouteRef,
    loader: () =>
      import('./components/MachineIdentityPage/MachineIdentityPage').then(m => (
        <m.MachineIdentityPage />
      )),
  },
});

/** The Decommissioning page: retired Components and their revocations. */
const decommissioningPage = PageBlueprint.make({
  name: 'decommissioning',
  params: {
    path: '/decommissioning',
    title: 'Decommissioning',
    routeRef: decommissioningRouteRef,
    loader: () =>
      import('./components/Decommissioning/DecommissioningPage').then(m => <m.DecommissioningPage />),
  },
});

/** Revocation state of a Component's credentials or a MachineIdentity's credential. */
const revocationsCard = EntityCardBlueprint.make({
  name: 'revocations',
  params: {
    filter: entity => isMachineIdentityEntityKind(entity) || isMachineIdentityAvailable(entity),
    loader: () =>
      import('./components/Decommissioning/EntityRevocationsCard').then(m => <m.EntityRevocationsCard />),
  },
});

/** The plain warning on a decommissioned Component that still has live credentials. */
const decommissionedWarningCard = EntityCardBlueprint.make({
  name: 'decommissioned-warning',
  params: {
    filter: entity => entity.kind.toLocaleLowerCase('en-US') === 'component',
    loader: () =>
      import('./components/Decommissioning/EntityDecommissionedWarning').then(m => <m.EntityDecommissionedWarning />),
  },
});

/** The "Machine identities" tab of Components and Groups. */
const machineIdentityEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/machine-identities',
    title: 'Machine identities',
    filter: entity =>
      !isMachineIdentityEntityKind(entity) &&
      (isMachineIdentityAvailable(entity) ||
        entity.kind.toLocaleLowerCase('en-US') === 'group'),
    loader: () =>
      import(
        './components/EntityMachineIdentityContent/EntityMachineIdentityContent'
      ).then(m => <m.EntityMachineIdentityContent />),
  },
});

/** The MachineIdentity entity's own overview content. */
const machineIdentityDetailsContent = EntityContentBlueprint.make({
  name: 'details',
  params: {
    path: '/identity',
    title: 'Identity',
    filter: isMachineIdentityEntityKind,
    loader: () =>
      import(
        './components/EntityMachineIdentityDetailsContent/EntityMachineIdentityDetailsContent'
      ).then(m => <m.EntityMachineIdentityDetailsContent />),
  },
});

/** The compact card for a Component's overview tab. */
const machineIdentityOverviewCard = EntityCardBlueprint.make({
  params: {
    filter: entity =>
      !isMachineIdentityEntityKind(entity) && isMachineIdentityAvailable(entity),
    loader: () =>
      import(
        './components/EntityMachineIdentityOverviewCard/EntityMachineIdentityOverviewCard'
      ).then(m => <m.EntityMachineIdentityOverviewCard />),
  },
});

/** The machine identity scorecard card of Components and Groups (from Tech Insights). */
const machineIdentityScorecardCard = EntityCardBlueprint.make({
  name: 'scorecard',
  params: {
    filter: entity => ['component', 'group'].includes(entity.kind.toLocaleLowerCase('en-US')),
    loader: () =>
      import('./components/Scorecard/EntityMachineIdentityScorecardCard').then(m => (
        <m.EntityMachineIdentityScorecardCard />
      )),
  },
});

/** The "Scorecard" tab of Groups: Components worst first and the evidence export. */
const machineIdentityScorecardContent = EntityContentBlueprint.make({
  name: 'scorecard',
  params: {
    path: '/machine-identity-scorecard',
    title: 'Scorecard',
    filter: entity => entity.kind.toLocaleLowerCase('en-US') === 'group',
    loader: () =>
      import('./components/Scorecard/EntityMachineIdentityScorecardContent').then(m => (
        <m.EntityMachineIdentityScorecardContent />
      )),
  },
});

/** The "Ownership review" tab of Groups. */
const ownershipReviewContent = EntityContentBlueprint.make({
  name: 'ownership-review',
  params: {
    path: '/ownership-review',
    title: 'Ownership review',
    filter: entity => entity.kind.toLocaleLowerCase('en-US') === 'group',
    loader: () =>
      import('./components/OwnershipReview/EntityOwnershipReviewContent').then(m => (
        <m.EntityOwnershipReviewContent />
      )),
  },
});

/**
 * Keyring's frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'machine-identity',
  title: 'Machine identities',
  icon: <VpnKeyIcon fontSize="inherit" />,
  routes: { root: overviewRouteRef, decommissioning: decommissioningRouteRef },
  extensions: [
    machineIdentityApi,
    machineIdentityPage,
    machineIdentityEntityContent,
    machineIdentityDetailsContent,
    machineIdentityOverviewCard,
    machineIdentityScorecardCard,
    machineIdentityScorecardContent,
    ownershipReviewContent,
    decommissioningPage,
    revocationsCard,
    decommissionedWarningCard,
  ],
});
