import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/**
 * Tech Insights module for Keyring: machine identity compliance facts and
 * checks. The fact retrievers are not written yet; the module loads and says
 * so once at start.
 */
export const techInsightsModuleMachineIdentity = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'machine-identity',
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger },
      async init({ logger }) {
        logger.info('Machine identity scorecard facts are not available yet');
      },
    });
  },
});
