/*
 * Runs the ssh-files scanner once and prints `{ discoveries, problems }` as JSON.
 * Tests start it as an unprivileged user (runuser) to prove how unreadable
 * files and directories are reported; a root process can read everything.
 *
 *   node --import tsx scanFilesCli.ts '<source config JSON>'
 */
import { ConfigReader } from '@backstage/config';
import type { ScanProblem } from '@keyring/plugin-machine-identity-node';
import { SshFilesScanner } from '../files/SshFilesScanner';

async function main() {
  const source = JSON.parse(process.argv[2]);
  const problems: ScanProblem[] = [];
  const locations: string[] = [];
  const noop = () => {};
  const logger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => logger };
  const scanner = SshFilesScanner.create({ localHostname: 'cli' });
  for await (const d of scanner.scan({
    source: { id: 'cli', type: 'ssh-files', config: new ConfigReader({ id: 'cli', ...source }) },
    logger,
    signal: new AbortController().signal,
    reportProblem: p => problems.push(p),
    reportCovered: noop,
    reportProgress: noop,
    fingerprintSecret: () => {
      throw new Error('not used');
    },
  })) {
    locations.push(d.location);
  }
  process.stdout.write(JSON.stringify({ locations, problems }));
}

main().catch(error => {
  process.stderr.write(String(error?.stack ?? error));
  process.exitCode = 1;
});
