/*
 * Runs the certificate-files scanner once and prints what it reported as JSON.
 * Tests start it as an unprivileged user (runuser) to meet real EACCES; a root
 * process reads everything.
 *
 *   node --import tsx scanCli.ts '<source config JSON>'
 */
import { ConfigReader } from '@backstage/config';
import type { ScanProblem } from '@keyring/plugin-machine-identity-node';
import { CertificateFilesScanner } from '../CertificateFilesScanner';

async function main() {
  const source = JSON.parse(process.argv[2]);
  const problems: ScanProblem[] = [];
  const covered: string[] = [];
  const locations: string[] = [];
  const noop = () => {};
  const logger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => logger };
  const scanner = CertificateFilesScanner.create({ hostname: 'cli' });
  for await (const d of scanner.scan({
    source: { id: 'cli', type: 'certificate-files', config: new ConfigReader({ id: 'cli', ...source }) },
    logger,
    signal: new AbortController().signal,
    reportProblem: p => problems.push(p),
    reportCovered: scope => covered.push(scope),
    reportProgress: noop,
    fingerprintSecret: () => {
      throw new Error('not used');
    },
  })) {
    locations.push(d.location);
  }
  process.stdout.write(JSON.stringify({ locations, problems, covered }));
}

main().catch(error => {
  process.stderr.write(String(error?.stack ?? error));
  process.exitCode = 1;
});
