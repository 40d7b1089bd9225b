/*
 * One run of Keyring's aws-iam scanner in a process of its own (so its peak
 * memory is its own): `tsx bench/_awsKeyring.ts '<emulator JSON>'` prints one
 * JSON line with the time, discoveries by type, problems and peak RSS.
 */
import { createHmac } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { AwsIamScanner } from '../plugins/machine-identity-backend-module-aws/src/scanning/AwsIamScanner';

process.removeAllListeners('warning');
const emu = JSON.parse(process.argv[2]);
const logger: LoggerService = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => logger };

async function main() {
  const config = new ConfigReader({
    id: 'bench-aws',
    type: 'aws-iam',
    accounts: [{ accountId: emu.accountId, region: emu.region, endpoint: emu.endpoint, credentials: { accessKeyId: emu.accessKeyId, secretAccessKey: emu.secretAccessKey } }],
  });
  const byType: Record<string, number> = {};
  let problems = 0;
  const started = Date.now();
  for await (const d of AwsIamScanner.create().scan({
    source: { id: 'bench-aws', type: 'aws-iam', config },
    logger,
    signal: new AbortController().signal,
    reportProblem: () => void problems++,
    reportCovered: () => {},
    reportProgress: () => {},
    fingerprintSecret: v => createHmac('sha256', 'bench').update(v).digest('hex'),
  })) {
    byType[d.type] = (byType[d.type] ?? 0) + 1;
  }
  const ms = Date.now() - started;
  console.log(JSON.stringify({ ms, byType, problems, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
