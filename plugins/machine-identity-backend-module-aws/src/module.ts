import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { AccessKeyDeletionSweep } from './revoker/AccessKeyDeletionSweep';
import { AwsCredentialRevoker } from './revoker/AwsCredentialRevoker';
import { AwsIamScanner } from './scanning/AwsIamScanner';

const SWEEP_SCHEDULE_KEY = 'machineIdentity.aws.revocation.schedule';

/**
 * Adds the AWS scanner (source type `aws-iam`) and the AWS revoker (access
 * keys deactivated then deleted, role policies detached) to the
 * machine-identity plugin, and schedules the deletion of deactivated access
 * keys once their holding period is over.
 */
export const machineIdentityModuleAws = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'aws',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        revokers: machineIdentityRevokersExtensionPoint,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        logger: coreServices.logger,
      },
      async init({ scanners, revokers, config, scheduler, logger }) {
        scanners.addScanner(AwsIamScanner.create());
        const revoker = AwsCredentialRevoker.fromConfig(config);
        revokers.addRevoker(revoker);
        const sweep = new AccessKeyDeletionSweep(revoker, logger);
        const schedule = config.has(SWEEP_SCHEDULE_KEY)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig(SWEEP_SCHEDULE_KEY))
          : { frequency: { hours: 1 }, timeout: { minutes: 30 }, initialDelay: { minutes: 5 } };
        await scheduler.scheduleTask({
          id: 'machine-identity-aws-access-key-deletion',
          ...schedule,
          fn: async () => {
            try {
              await sweep.sweep(config);
            } catch (error) {
              logger.warn(`AWS access key deletion sweep failed: ${(error as Error).message}`);
            }
          },
        });
      },
    });
  },
});
