import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/**
 * The kubernetes scanner module for Keyring. Its scanner (source type `kubernetes`) is not
 * written yet: the module loads, and says so once at start, so a portal that
 * installs it today is not silently missing a source.
 */
export const machineIdentityModuleKubernetes = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'kubernetes',
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger },
      async init({ logger }) {
        logger.info('The kubernetes scanner is not available yet; kubernetes sources are not scanned');
      },
    });
  },
});
