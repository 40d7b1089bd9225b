import '@testing-library/jest-dom/vitest';
import type { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  MockFetchApi,
  TestApiProvider,
  renderInTestApp,
} from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import type { ReactElement } from 'react';
import { machineIdentityApiRef } from '../api/MachineIdentityApi';
import type { FakeMachineIdentityApi } from './FakeMachineIdentityApi';

/** A Component with the hostnames annotation, owned by payments. */
export const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'keyring.io/hostnames': 'api.payments.example.test' },
  },
  spec: { type: 'service', owner: 'group:default/payments', lifecycle: 'production' },
};

/** Discovery for components that call other plugins' APIs directly (evidence export, scorecard). */
const testDiscoveryApi = { getBaseUrl: async (pluginId: string) => `http://localhost:7007/api/${pluginId}` };

/** Renders an element in a test app with the fake API (and an entity, if given). */
export function renderWithApi(
  element: ReactElement,
  api: FakeMachineIdentityApi,
  options: { entity?: Entity; routeEntries?: string[]; extraApis?: any[] } = {},
) {
  const content = options.entity ? (
    <EntityProvider entity={options.entity}>{element}</EntityProvider>
  ) : (
    element
  );
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [machineIdentityApiRef, api],
        [discoveryApiRef, testDiscoveryApi],
        [fetchApiRef, new MockFetchApi()],
        ...(options.extraApis ?? []),
      ]}
    >
      {content}
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries: options.routeEntries,
    },
  );
}
