import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import { AccountScan } from './AccountScan';
import { createAwsClients } from './createAwsClients';
import { GroupPrivilegeJudge } from './groupPrivilege';
import { ManagedPolicyJudge } from './policyPrivilege';
import { readAwsAccounts } from './readAwsAccounts';
import { scanAcmCertificates, scanServerCertificates } from './scanCertificates';
import { scanIamRoles } from './scanIamRoles';
import { scanIamUsers } from './scanIamUsers';
import { scanSecrets } from './scanSecrets';

/** Source type served by {@link AwsIamScanner}. */
export const AWS_IAM_SOURCE_TYPE = 'aws-iam';

const fmt = (n: number) => n.toLocaleString('en-US');

/** ` as shard 2/4` for a sharded run, else nothing. */
const shardText = ({ shard }: ScannerContext) => (shard && shard.count > 1 ? ` as shard ${shard.index + 1}/${shard.count}` : '');

/**
 * Discovers the machine identities of AWS accounts: IAM users
 * (`service-account`), their access keys (`api-token`) and SSH public keys,
 * roles (`workload-identity`), IAM server certificates and ACM certificates
 * (`tls-certificate`) and Secrets Manager secrets (`secret`, metadata only).
 * Every list is paged; the SDK retries throttling and 5xx with backoff, and a
 * call that still fails makes the run partial with a problem naming it.
 * Places are reported covered only when they were listed completely. A
 * sharded source splits each account's users and roles between the shards by
 * `inShard` of their location; the account-level stores are read by shard 0.
 */
export class AwsIamScanner implements MachineIdentityScanner {
  readonly sourceTypes = [AWS_IAM_SOURCE_TYPE] as const;

  private constructor() {}

  static create(): AwsIamScanner {
    return new AwsIamScanner();
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const accounts = readAwsAccounts(context.source.config, context.source.id);
    for (const account of accounts) {
      if (context.signal.aborted) {
        context.reportProblem({ message: `Scan aborted before account ${account.accountId}` });
        return;
      }
      const started = Date.now();
      const clients = createAwsClients(account);
      const scan = new AccountScan(context, account, clients);
      const judge = new ManagedPolicyJudge(scan);
      const counts = { users: 0, accessKeys: 0, sshKeys: 0, roles: 0, serverCertificates: 0, secrets: 0, acmCertificates: 0 };
      try {
        yield* scanIamUsers(scan, { policies: judge, groups: new GroupPrivilegeJudge(scan, judge) }, counts);
        yield* scanIamRoles(scan, judge, counts);
        if (scan.ownsAccountLevel) {
          yield* scanServerCertificates(scan, counts);
          yield* scanSecrets(scan, counts);
          yield* scanAcmCertificates(scan, counts);
        }
      } finally {
        clients.destroy();
      }
      context.logger.info(
        `Scanned AWS account ${account.accountId} (${account.region})${shardText(context)}: ${fmt(counts.users)} IAM users, ` +
          `${fmt(counts.accessKeys)} access keys, ${fmt(counts.sshKeys)} SSH keys, ${fmt(counts.roles)} roles, ` +
          `${fmt(counts.serverCertificates)} server certificates, ${fmt(counts.secrets)} secrets, ` +
          `${fmt(counts.acmCertificates)} ACM certificates (${fmt(scan.problems)} failed calls) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
    }
  }
}
