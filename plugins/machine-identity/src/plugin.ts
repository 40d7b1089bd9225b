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
import { decommissioningRouteRef, rootRouteRef } from './routes';

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
  routes: { root: rootRouteRef, decommissioning: decommissioningRouteRef },
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
 * The Decommissioning page: retired Components, their credentials and each
 * revocation, with approve/reject.
 *
 * @public
 */
export const DecommissioningPage = machineIdentityPlugin.provide(
  createRoutableExtension({
    name: 'DecommissioningPage',
    component: () =>
      import('./components/Decommissioning/DecommissioningPage').then(m => m.DecommissioningPage),
    mountPoint: decommissioningRouteRef,
  }),
);

/**
 * Revocation state on a Component's tab or a MachineIdentity entity's page.
 *
 * @public
 */
export const EntityRevocationsCard = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityRevocationsCard',
    component: {
      lazy: () =>
        import('./components/Decommissioning/EntityRevocationsCard').then(m => m.EntityRevocationsCard),
    },
  }),
);

/**
 * A plain warning on a Component's page when it is decommissioned but still
 * has live credentials.
 *
 * @public
 */
export const EntityDecommissionedWarning = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityDecommissionedWarning',
    component: {
      lazy: () =>
        import('./components/Decommissioning/EntityDecommissionedWarning').then(m => m.EntityDecommissionedWarning),
    },
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
 * The "Ownership review" tab of a Group: campaign progress, identities to
 * attest with bulk decisions, reassignments and approvals awaiting, history.
 *
 * @public
 */
export const EntityOwnershipReviewContent = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityOwnershipReviewContent',
    component: {
      lazy: () =>
        import('./components/OwnershipReview/EntityOwnershipReviewContent').then(m => m.EntityOwnershipReviewContent),
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

/**
 * The machine identity scorecard of a Component or Group (overview card),
 * read from the Tech Insights backend.
 *
 * @public
 */
export const EntityMachineIdentityScorecardCard = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityMachineIdentityScorecardCard',
    component: {
      lazy: () =>
        import('./components/Scorecard/EntityMachineIdentityScorecardCard').then(
          m => m.EntityMachineIdentityScorecardCard,
        ),
    },
  }),
);

/**
 * The "Scorecard" tab of a Group: its scorecard, its Components worst first
 * and the evidence export.
 *
 * @public
 */
export const EntityMachineIdentityScorecardContent = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'EntityMachineIdentityScorecardContent',
    component: {
      lazy: () =>
        import('./components/Scorecard/EntityMachineIdentityScorecardContent').then(
          m => m.EntityMachineIdentityScorecardContent,
        ),
    },
  }),
);

/**
 * The compliance evidence export (period, format, progress), optionally for one owner.
 *
 * @public
 */
export const MachineIdentityEvidenceExportButton = machineIdentityPlugin.provide(
  createComponentExtension({
    name: 'MachineIdentityEvidenceExportButton',
    component: {
      lazy: () =>
        import('./components/Scorecard/EvidenceExportButton').then(m => m.EvidenceExportButton),
    },
  }),
);
