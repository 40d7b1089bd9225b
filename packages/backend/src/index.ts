/*
 * The Keyring portal's backend: a real Backstage backend with the catalog,
 * auth (guest sign-in for local use), permissions, notifications and every
 * Keyring plugin and module.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Several demo users (team leads and members) for a local portal; off unless auth.providers.demo is set.
backend.add(import('./auth/authModuleDemoProvider'));

backend.add(import('@backstage/plugin-catalog-backend'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissions/permissionModuleKeyringPolicy'));

backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(import('@keyring/plugin-tech-insights-backend-module-machine-identity'));

backend.add(import('@keyring/plugin-machine-identity-backend'));
backend.add(import('@keyring/plugin-machine-identity-backend-module-tls'));
backend.add(import('@keyring/plugin-machine-identity-backend-module-ssh'));
backend.add(import('@keyring/plugin-machine-identity-backend-module-kubernetes'));
backend.add(import('@keyring/plugin-machine-identity-backend-module-aws'));
backend.add(import('@keyring/plugin-catalog-backend-module-machine-identity'));

backend.start();
