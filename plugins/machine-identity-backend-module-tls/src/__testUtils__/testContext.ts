import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScanProblem,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import { createHmac } from 'node:crypto';

/** What one scanner run produced. */
export interface ScanOutcome {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  /** Scopes reported with `reportCovered`, in order. */
  covered: string[];
  progress: { done: number; total?: number }[];
  elapsedMs: number;
}

/** Runs a scanner over one source block, collecting everything it reports. */
export async function runScanner(
  scanner: MachineIdentityScanner,
  source: { id?: string; type: string } & Record<string, unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<ScanOutcome> {
  const problems: ScanProblem[] = [];
  const covered: string[] = [];
  const progress: { done: number; total?: number }[] = [];
  const context: ScannerContext = {
    source: { id: source.id ?? 'test-source', type: source.type, config: new ConfigReader({ id: 'test-source', ...source }) },
    logger: mockServices.logger.mock(),
    signal: options.signal ?? new AbortController().signal,
    reportProblem: p => problems.push(p),
    reportCovered: scope => covered.push(scope),
    reportProgress: p => progress.push(p),
    fingerprintSecret: v => createHmac('sha256', 'test').update(v).digest('hex'),
  };
  const started = Date.now();
  const discoveries: MachineIdentityDiscovery[] = [];
  for await (const d of scanner.scan(context)) discoveries.push(d);
  return { discoveries, problems, covered, progress, elapsedMs: Date.now() - started };
}
