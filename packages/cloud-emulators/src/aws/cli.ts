/*
 * Runs the AWS emulator in its own process (for the bench): an account with
 * `--users N` generated IAM users on 127.0.0.1, printing one JSON line with
 * the endpoint and the caller credentials, until killed.
 */
import { AwsEmulator } from './AwsEmulator';
import { addGeneratedUsers, emptyAccount } from './estates';

const at = process.argv.indexOf('--users');
const users = at > 0 ? Number(process.argv[at + 1]) : 10_000;
const caller = { accessKeyId: 'AKIABENCHCALLER00001', secretAccessKey: 'bench-emulator-secret' };
const account = emptyAccount({ accountId: '123456789012', region: 'eu-west-1', ...caller });
addGeneratedUsers(account, users);

AwsEmulator.start({ accounts: [account], recordCalls: false }).then(emulator => {
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, accountId: account.accountId, region: account.region, users, ...caller })}\n`);
  const stop = () => emulator.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
