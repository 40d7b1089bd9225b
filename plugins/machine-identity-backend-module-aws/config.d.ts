import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  machineIdentity?: {
    /**
     * Discovery sources. This module serves the `aws-iam` type; keys of
     * other types are described by their modules.
     */
    sources?: Array<{
      /** Unique kebab-case source id. */
      id: string;
      /**
       * `aws-iam`: IAM, Secrets Manager and ACM of the listed accounts. A
       * sharded source (`shards`) splits each account's IAM users and roles
       * between the shards by a stable hash; shard 0 reads the account-level
       * stores (server certificates, Secrets Manager, ACM).
       */
      type: string;
      /** When the source is scanned. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** aws-iam: the accounts to scan, each with the region of its Secrets Manager and ACM. */
      accounts?: Array<{
        /** The 12-digit account id (quote it in YAML). */
        accountId: string;
        /** Region for Secrets Manager and ACM, e.g. `eu-west-1` (IAM is global). */
        region: string;
        /** Optional: every AWS call of this account goes here (tests, emulators, VPC endpoints), e.g. `http://127.0.0.1:4566`. */
        endpoint?: string;
        /**
         * Static credentials of a read-only scanner user. Absent: the AWS
         * SDK's default credential chain (environment, profile, web identity,
         * instance or container role).
         */
        credentials?: {
          /** Access key id of the scanner's credentials. */
          accessKeyId: string;
          /**
           * Secret access key of the scanner's credentials.
           * @visibility secret
           */
          secretAccessKey: string;
        };
        /** A role to assume for the scan (`sts:AssumeRole`), with `credentials` or the default chain as the caller. */
        roleArn?: string;
      }>;
    }>;
    /** The AWS module's revoker. */
    aws?: {
      revocation?: {
        /** How long an access key stays deactivated before Keyring deletes it (default 7 days). */
        holdingPeriod?: HumanDuration;
        /** When deactivated keys past their holding period are deleted (default hourly). */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
