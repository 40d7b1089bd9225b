import { paginateListUsers, paginateListUserTags } from '@aws-sdk/client-iam';
import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { createAwsClients } from '../scanning/createAwsClients';
import { readAwsAccounts } from '../scanning/readAwsAccounts';
import { DEACTIVATED_TAG_PREFIX, type AwsCredentialRevoker } from './AwsCredentialRevoker';

/**
 * Deletes access keys whose holding period is over: for every `aws-iam`
 * source account, finds users tagged `keyring.io/deactivated/<AccessKeyId>`
 * and lets the revoker delete the keys that are due. Run on a schedule by
 * the module, so a deactivated key is deleted without a second approval.
 */
export class AccessKeyDeletionSweep {
  constructor(
    private readonly revoker: AwsCredentialRevoker,
    private readonly logger: LoggerService,
  ) {}

  /** Sweeps every `aws-iam` source of `machineIdentity.sources`; returns the key ids deleted. */
  async sweep(rootConfig: Config): Promise<string[]> {
    const deleted: string[] = [];
    for (const source of rootConfig.getOptionalConfigArray('machineIdentity.sources') ?? []) {
      if (source.getOptionalString('type') !== 'aws-iam') continue;
      const sourceId = source.getString('id');
      for (const account of readAwsAccounts(source, sourceId)) {
        const clients = createAwsClients(account);
        try {
          for await (const page of paginateListUsers({ client: clients.iam }, {})) {
            for (const user of page.Users ?? []) {
              if (!user.UserName) continue;
              for await (const tags of paginateListUserTags({ client: clients.iam }, { UserName: user.UserName })) {
                for (const tag of tags.Tags ?? []) {
                  if (!tag.Key?.startsWith(DEACTIVATED_TAG_PREFIX)) continue;
                  const accessKeyId = tag.Key.slice(DEACTIVATED_TAG_PREFIX.length);
                  const outcome = await this.revoker.revokeAccessKey({ clients, accountId: account.accountId }, user.UserName, accessKeyId);
                  if (outcome.details?.deleted) deleted.push(accessKeyId);
                }
              }
            }
          }
        } catch (error) {
          this.logger.warn(`Access key deletion sweep of source ${sourceId} account ${account.accountId} stopped: ${(error as Error).message}`);
        } finally {
          clients.destroy();
        }
      }
    }
    if (deleted.length > 0) this.logger.info(`Deleted ${deleted.length} deactivated AWS access keys after their holding period`);
    return deleted;
  }
}
