import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';

/** Groups `team-0..` and Components `service-0..` that identities relate to. */
export function orgEntities(groups: number, components: number): Entity[] {
  const location = 'url:https://example.test/org.yaml';
  const annotations = {
    'backstage.io/managed-by-location': location,
    'backstage.io/managed-by-origin-location': location,
  };
  const entities: Entity[] = [];
  for (let g = 0; g < groups; g += 1) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `team-${g}`, annotations },
      spec: { type: 'team', children: [] },
    });
  }
  for (let c = 0; c < components; c += 1) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `service-${c}`, annotations },
      spec: { type: 'service', lifecycle: 'production', owner: `group:default/team-${c % groups}` },
    });
  }
  return entities;
}

/** A catalog module that provides {@link orgEntities} once on start. */
export function orgFixtureModule(groups: number, components: number) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'keyring-test-org',
    register(env) {
      env.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider({
            getProviderName: () => 'keyring-test-org',
            connect: async connection =>
              connection.applyMutation({
                type: 'full',
                entities: orgEntities(groups, components).map(entity => ({
                  entity,
                  locationKey: 'keyring-test-org',
                })),
              }),
          });
        },
      });
    },
  });
}
