import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { JsonRulesEngineFactCheckerFactory } from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import {
  techInsightsFactCheckerFactoryExtensionPoint,
  techInsightsFactRetrieversExtensionPoint,
} from '@backstage-community/plugin-tech-insights-node';
import { machineIdentityServiceRef } from '@keyring/plugin-machine-identity-node';
import { createMachineIdentityFactRetriever } from './createMachineIdentityFactRetriever';
import { MACHINE_IDENTITY_FACT_RETRIEVER_ID } from './factSchema';
import { readChecks } from './readChecks';

/**
 * Tech Insights module for Keyring: publishes each Component's and Group's
 * machine identity compliance as facts and installs the JSON rules engine
 * fact checker with Keyring's default checks (plus any configured ones).
 */
export const techInsightsModuleMachineIdentity = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'machine-identity',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        machineIdentity: machineIdentityServiceRef,
        retrievers: techInsightsFactRetrieversExtensionPoint,
        checkers: techInsightsFactCheckerFactoryExtensionPoint,
      },
      async init({ config, logger, auth, catalog, machineIdentity, retrievers, checkers }) {
        retrievers.addFactRetrievers({
          [MACHINE_IDENTITY_FACT_RETRIEVER_ID]: createMachineIdentityFactRetriever({
            service: machineIdentity,
            catalog,
            auth,
          }),
        });
        if (!config.has(`techInsights.factRetrievers.${MACHINE_IDENTITY_FACT_RETRIEVER_ID}`)) {
          logger.warn(
            `Machine identity facts are not scheduled: set techInsights.factRetrievers.${MACHINE_IDENTITY_FACT_RETRIEVER_ID}.cadence (Tech Insights runs only configured retrievers)`,
          );
        }
        const checks = readChecks(config);
        checkers.setFactCheckerFactory(
          new JsonRulesEngineFactCheckerFactory({ checks, logger, catalog, auth }),
        );
        logger.info(`Machine identity scorecard: ${checks.length} checks installed`);
      },
    });
  },
});
