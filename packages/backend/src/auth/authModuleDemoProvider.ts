import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** Request header naming the demo user to sign in as, e.g. `user:default/bob`. */
export const DEMO_USER_HEADER = 'x-keyring-demo-user';

/** Whether the portal runs as the local demo: development everywhere. */
export function isDemoMode(authEnvironment: string | undefined): boolean {
  return process.env.NODE_ENV === 'development' && authEnvironment === 'development';
}

function normalize(ref: string): string | undefined {
  try {
    return stringifyEntityRef(parseEntityRef(ref.trim(), { defaultKind: 'user', defaultNamespace: 'default' })).toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The demo's sign-in: several real Backstage users for a local portal, so
 * separation of duties can be shown and tested (the guest provider is one
 * user). The caller names a demo user in the `x-keyring-demo-user` header of
 * `GET /api/auth/demo/refresh`; the auth backend signs them in through the
 * catalog (their `memberOf` Groups become their ownership refs) and issues an
 * ordinary Backstage user token. Registered only when `auth.providers.demo`
 * is configured, and refusing every sign-in unless the portal runs in demo
 * mode (`NODE_ENV=development` and `auth.environment: development`).
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'keyring-demo-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint, config: coreServices.rootConfig, logger: coreServices.logger },
      async init({ providers, config, logger }) {
        const demo = config.getOptionalConfig('auth.providers.demo');
        if (!demo) return;
        const users = new Set(demo.getStringArray('users').map(u => normalize(u) ?? u));
        const enabled = isDemoMode(config.getOptionalString('auth.environment'));
        if (!enabled) {
          logger.warn('auth.providers.demo is configured but the portal is not in demo mode: demo sign-in refuses everyone');
        }
        const authenticator = createProxyAuthenticator({
          defaultProfileTransform: async (result: { userEntityRef: string }) => ({
            profile: { displayName: parseEntityRef(result.userEntityRef).name },
          }),
          initialize: () => ({ enabled }),
          async authenticate({ req }, ctx) {
            if (!ctx.enabled) {
              throw new NotAllowedError('Demo sign-in is only available when the portal runs in demo mode (development)');
            }
            const asked = req.header(DEMO_USER_HEADER);
            const userEntityRef = asked ? normalize(asked) : undefined;
            if (!userEntityRef || !users.has(userEntityRef)) {
              throw new AuthenticationError(
                `Name a demo user in the ${DEMO_USER_HEADER} header, one of: ${[...users].join(', ')}`,
              );
            }
            return { result: { userEntityRef } };
          },
        });
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator,
            signInResolver: async ({ result }, ctx) => ctx.signInWithCatalogUser({ entityRef: result.userEntityRef }),
          }),
        });
      },
    });
  },
});
