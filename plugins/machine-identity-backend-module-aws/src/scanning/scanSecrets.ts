import { paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import { describeAwsError, sha256Hex, type AccountScan } from './AccountScan';
import { ownerHintFromTags } from './ownerHintFromTags';

const SECRETS = 'secretsmanager';

/**
 * Secrets Manager secrets of the account's region as `secret` discoveries,
 * from `ListSecrets` metadata alone: name, rotation, last rotated, last
 * accessed, tags. Secret values are never read (no `GetSecretValue`).
 */
export async function* scanSecrets(scan: AccountScan, counts: { secrets: number }): AsyncGenerator<MachineIdentityDiscovery> {
  try {
    for await (const page of paginateListSecrets({ client: scan.clients.secretsManager, pageSize: 100 }, {})) {
      for (const s of page.SecretList ?? []) {
        if (!s.ARN || !s.Name) {
          scan.context.reportProblem({ location: scan.location(SECRETS), message: 'Skipped a malformed secret record (no ARN or Name)', incomplete: false });
          continue;
        }
        counts.secrets += 1;
        const rotated = s.LastRotatedDate?.toISOString();
        yield {
          type: 'secret',
          fingerprintSha256: sha256Hex(s.ARN),
          displayName: s.Name,
          attributes: {
            subject: s.ARN,
            notBefore: s.CreatedDate?.toISOString(),
            lastUsedAt: s.LastAccessedDate?.toISOString(),
            storage: 'aws-secrets-manager',
            rotation: { enabled: s.RotationEnabled === true, ...(rotated ? { lastRotatedAt: rotated } : {}) },
            extra: {
              name: s.Name,
              accountId: scan.account.accountId,
              region: scan.account.region,
              ...(s.RotationRules?.AutomaticallyAfterDays ? { rotationDays: s.RotationRules.AutomaticallyAfterDays } : {}),
              ...(s.LastChangedDate ? { lastChangedAt: s.LastChangedDate.toISOString() } : {}),
            },
          },
          location: scan.location(SECRETS, s.Name),
          details: { accountId: scan.account.accountId, region: scan.account.region, arn: s.ARN },
          management: s.RotationEnabled ? 'automated' : 'manual',
          ownerHint: ownerHintFromTags(s.Tags, `secret ${s.Name}`),
        };
      }
    }
  } catch (error) {
    scan.fail(SECRETS, scan.location(SECRETS), `ListSecrets failed after ${counts.secrets} secrets: ${describeAwsError(error)}`);
  }
  scan.coverIfComplete(SECRETS);
}
