import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The overview page (`/machine-identities` in the example app).
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'machine-identity' });

/**
 * The Decommissioning page (`/decommissioning` in the example app).
 *
 * @public
 */
export const decommissioningRouteRef = createRouteRef({ id: 'machine-identity-decommissioning' });
