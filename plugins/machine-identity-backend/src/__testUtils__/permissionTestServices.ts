import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/** A user info service whose users get their Groups from `groups`, as the catalog would resolve them. */
export function userInfoFromTable(groups: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: any) {
        const userEntityRef = credentials.principal.userEntityRef as string;
        return { userEntityRef, ownershipEntityRefs: groups[userEntityRef] ?? [userEntityRef] };
      },
    }),
  });
}

/**
 * The test backend's mock auth (the real HTTP auth service reads tokens through it), except that a user's on-behalf-of token keeps
 * the calling plugin as actor, as the real auth service does (the mock of
 * backend-test-utils 1.11.7 drops it, and the permission backend refuses
 * conditional requests from users that come without one).
 */
export const onBehalfOfAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    return Object.assign(Object.create(inner), {
      async authenticate(token: string, options?: { allowLimitedAccess?: boolean }) {
        const credentials = await inner.authenticate(token, options);
        const principal = credentials.principal as { type: string; userEntityRef?: string };
        if (token.startsWith('mock-service-token:') && principal.type === 'user') {
          return mockCredentials.user(principal.userEntityRef, { actor: { subject: 'plugin:machine-identity' } });
        }
        return credentials;
      },
    });
  },
});

/**
 * The real permission backend and services (permissions, registry, HTTP auth)
 * with {@link onBehalfOfAuthFactory}; add a policy module, a user info
 * service and `permission: { enabled: true }` in config.
 */
export const realPermissionServices = [
  import('@backstage/plugin-permission-backend'),
  permissionsServiceFactory,
  permissionsRegistryServiceFactory,
  onBehalfOfAuthFactory,
  httpAuthServiceFactory,
];
