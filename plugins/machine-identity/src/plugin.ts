import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { machineIdentityApiRef } from './api/MachineIdentityApi';
import { MachineIdentityClient } from './api/MachineIdentityClient';
import { rootRouteRef } from './routes';

/**
 * Keyring's frontend plugin for the legacy frontend system.
 *
 * @public
 */
export const machineIdentityPlugin = createPlugin({
  id: 'machine-identity',
  apis: [
    createApiFactory({
      api: machineIdentityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MachineIdentityClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The `/machine-identities` overview page.
 *
 * @public
 */
export const MachineIdentityPage = machineIdentityPlugin.provide(
  createRoutableExtension({
    name: 'MachineIdentityPage',
    component: () =>
      import('./components/MachineIdentityPage/MachineIdentityPage').then(
        m => m.MachineIdentityPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The "Machine identities" tab of a Component or Group.
 *
 * @public
 */
export const EntityMachineIdentityContent = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityMachineIdentityContent',
    component: {
      lazy: () =>
        import(
          './components/EntityMachineIdentityContent/EntityMachineIdentityContent'
        ).then(m => m.EntityMachineIdentityContent),
    },
  }),
);

/**
 * A compact card for a Component's overview tab: counts and soonest expiry.
 *
 * @public
 */
export const EntityMachineIdentityOverviewCard = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityMachineIdentityOverviewCard',
    component: {
      lazy: () =>
        import(
          './components/EntityMachineIdentityOverviewCard/EntityMachineIdentityOverviewCard'
        ).then(m => m.EntityMachineIdentityOverviewCard),
    },
  }),
);

/**
 * The content of a MachineIdentity entity's own page.
 *
 * @public
 */
export const EntityMachineIdentityDetailsContent =
  machineIdentityPlugin.provide(
    createComponentExtension({
      name: 'EntityMachineIdentityDetailsContent',
      component: {
        lazy: () =>
          import(
            './components/EntityMachineIdentityDetailsContent/EntityMachineIdentityDetailsContent'
          ).then(m => m.EntityMachineIdentityDetailsContent),
      },
    }),
  );
