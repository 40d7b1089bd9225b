import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/**
 * The aws scanner module for Keyring. Its scanner (source type `aws-iam`) is not
 * written yet: the module loads, and says so once at start, so a portal that
 * installs it today is not silently missing a source.
 */
export const machineIdentityModuleAws = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'aws',
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger },
      async init({ logger }) {
        logger.info('The aws scanner is not available yet; aws-iam sources are not scanned');
      },
    });
  },
});
