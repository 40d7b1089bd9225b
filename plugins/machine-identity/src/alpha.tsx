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
    routeRef: overviewRouteRef,
    loader: () =>
      import('./components/MachineIdentityPage/MachineIdentityPage').then(m => (
        <m.MachineIdentityPage />
      )),
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

/**
 * Keyring's frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'machine-identity',
  title: 'Machine identities',
  routes: { root: overviewRouteRef },
  extensions: [
    machineIdentityApi,
    machineIdentityPage,
    machineIdentityEntityContent,
    machineIdentityDetailsContent,
    machineIdentityOverviewCard,
  ],
});
