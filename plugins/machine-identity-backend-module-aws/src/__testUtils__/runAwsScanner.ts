import { createHmac } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type {
  MachineIdentityDiscovery,
  ScannerContext,
  ScanProblem,
  ScanShard,
} from '@keyring/plugin-machine-identity-node';
import { AwsIamScanner } from '../scanning/AwsIamScanner';

/** What one run of the AWS scanner produced. */
export interface AwsScanOutcome {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  covered: string[];
  logs: string[];
}

/** The HMAC key the test context fingerprints secrets with. */
export const TEST_FINGERPRINT_KEY = 'aws-module-test-key';

/** Runs the AWS scanner once against an `aws-iam` source config, as one shard of it when `shard` is given. */
export async function runAwsScanner(source: Record<string, unknown>, shard?: ScanShard): Promise<AwsScanOutcome> {
  const outcome: AwsScanOutcome = { discoveries: [], problems: [], covered: [], logs: [] };
  const logger = mockServices.logger.mock();
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    (logger[level] as any).mockImplementation((message: string) => outcome.logs.push(message));
  }
  const context: ScannerContext = {
    source: { id: 'aws-test', type: 'aws-iam', config: new ConfigReader({ id: 'aws-test', type: 'aws-iam', ...source }) },
    logger,
    signal: new AbortController().signal,
    reportProblem: p => outcome.problems.push(p),
    reportCovered: scope => outcome.covered.push(scope),
    reportProgress: () => {},
    fingerprintSecret: value => createHmac('sha256', TEST_FINGERPRINT_KEY).update(value).digest('hex'),
    ...(shard ? { shard } : {}),
  };
  for await (const d of AwsIamScanner.create().scan(context)) outcome.discoveries.push(d);
  return outcome;
}
