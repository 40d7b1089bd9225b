import { ACMClient } from '@aws-sdk/client-acm';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsAccountConfig } from './readAwsAccounts';

/** The SDK clients of one account. */
export interface AwsClients {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  acm: ACMClient;
  destroy(): void;
}

type CredentialProvider = ReturnType<typeof fromTemporaryCredentials>;

/**
 * One assumed-role session for the account's three clients (each client
 * would otherwise call AssumeRole itself), renewed five minutes before it
 * expires; a failed AssumeRole is retried on the next call.
 */
function sharedCredentials(provider: CredentialProvider): CredentialProvider {
  let pending: ReturnType<CredentialProvider> | undefined;
  return async () => {
    pending ??= provider();
    try {
      const credentials = await pending;
      if (credentials.expiration && credentials.expiration.getTime() - Date.now() < 300_000) {
        pending = undefined;
        return await (pending = provider());
      }
      return credentials;
    } catch (error) {
      pending = undefined;
      throw error;
    }
  };
}

/** Attempts per call, with the SDK's standard retry strategy (exponential backoff with jitter; longer for throttling). */
export const AWS_MAX_ATTEMPTS = 3;

/**
 * Builds the IAM, Secrets Manager and ACM clients of one account: static
 * credentials, an assumed role, or the SDK's default chain; every call to
 * `endpoint` when one is set.
 */
export function createAwsClients(account: AwsAccountConfig): AwsClients {
  const base = {
    region: account.region,
    endpoint: account.endpoint,
    maxAttempts: AWS_MAX_ATTEMPTS,
  };
  const credentials = account.roleArn
    ? sharedCredentials(fromTemporaryCredentials({
        params: { RoleArn: account.roleArn, RoleSessionName: 'keyring-scanner', DurationSeconds: 3600 },
        masterCredentials: account.credentials,
        clientConfig: { region: account.region, ...(account.endpoint ? { endpoint: account.endpoint } : {}) },
      }))
    : account.credentials;
  const iam = new IAMClient({ ...base, credentials });
  const secretsManager = new SecretsManagerClient({ ...base, credentials });
  const acm = new ACMClient({ ...base, credentials });
  return {
    iam,
    secretsManager,
    acm,
    destroy() {
      iam.destroy();
      secretsManager.destroy();
      acm.destroy();
    },
  };
}
