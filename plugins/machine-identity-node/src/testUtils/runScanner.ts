import { createHmac } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScanProblem,
  ScannerContext,
} from '../types';

/** What one scanner run produced. */
export interface ScanOutcome {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  /** Scopes reported with `reportCovered`, in order. */
  covered: string[];
  progress: { done: number; total?: number }[];
  elapsedMs: number;
}

const silentLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

/**
 * Runs a scanner over one source block outside a backend, collecting every
 * discovery, problem, coverage scope and progress report — the unit-test
 * counterpart of the plugin's scan engine (which adds validation, batching
 * and the retirement rule). Token fingerprints use a fixed test key.
 */
export async function runScanner(
  scanner: MachineIdentityScanner,
  source: { id?: string; type: string } & Record<string, unknown>,
  options: { signal?: AbortSignal; logger?: LoggerService; shard?: ScannerContext['shard'] } = {},
): Promise<ScanOutcome> {
  const problems: ScanProblem[] = [];
  const covered: string[] = [];
  const progress: { done: number; total?: number }[] = [];
  const id = source.id ?? 'test-source';
  const context: ScannerContext = {
    source: { id, type: source.type, config: new ConfigReader({ ...source, id }) },
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
    reportProblem: p => problems.push(p),
    reportCovered: scope => covered.push(scope),
    reportProgress: p => progress.push(p),
    fingerprintSecret: v => createHmac('sha256', 'keyring-test').update(v).digest('hex'),
    ...(options.shard ? { shard: options.shard } : {}),
  };
  const started = Date.now();
  const discoveries: MachineIdentityDiscovery[] = [];
  for await (const d of scanner.scan(context)) discoveries.push(d);
  return { discoveries, problems, covered, progress, elapsedMs: Date.now() - started };
}
