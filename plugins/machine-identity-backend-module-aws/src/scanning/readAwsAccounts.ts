import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One AWS account of an `aws-iam` source, as configured. */
export interface AwsAccountConfig {
  accountId: string;
  region: string;
  /** Every AWS call goes here (tests, emulators, VPC endpoints). */
  endpoint?: string;
  /** Static credentials; absent = the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A role to assume (with `credentials`, or the default chain, as the source identity). */
  roleArn?: string;
}

/** Reads and checks `accounts` of an `aws-iam` source. */
export function readAwsAccounts(config: Config, sourceId: string): AwsAccountConfig[] {
  const accounts = config.getOptionalConfigArray('accounts') ?? [];
  if (accounts.length === 0) {
    throw new InputError(`Source ${sourceId}: an aws-iam source needs at least one entry in accounts`);
  }
  const seen = new Set<string>();
  return accounts.map(account => {
    const accountId = account.getString('accountId');
    if (!/^\d{12}$/.test(accountId)) {
      throw new InputError(`Source ${sourceId}: accountId must be 12 digits (quote it in YAML), got "${accountId}"`);
    }
    const region = account.getString('region');
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      throw new InputError(`Source ${sourceId}: account ${accountId} has an invalid region "${region}"`);
    }
    if (seen.has(`${accountId}/${region}`)) {
      throw new InputError(`Source ${sourceId}: account ${accountId} in ${region} is listed twice`);
    }
    seen.add(`${accountId}/${region}`);
    const endpoint = account.getOptionalString('endpoint');
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      throw new InputError(`Source ${sourceId}: account ${accountId} endpoint must be an http(s) URL`);
    }
    const creds = account.getOptionalConfig('credentials');
    const roleArn = account.getOptionalString('roleArn') ?? creds?.getOptionalString('roleArn');
    if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(roleArn)) {
      throw new InputError(`Source ${sourceId}: account ${accountId} roleArn is not an IAM role ARN`);
    }
    const accessKeyId = creds?.getOptionalString('accessKeyId');
    const secretAccessKey = creds?.getOptionalString('secretAccessKey');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw new InputError(`Source ${sourceId}: account ${accountId} credentials need both accessKeyId and secretAccessKey`);
    }
    return {
      accountId,
      region,
      endpoint,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      roleArn,
    };
  });
}
