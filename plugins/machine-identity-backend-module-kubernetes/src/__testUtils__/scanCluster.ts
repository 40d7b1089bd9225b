import { createHmac } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { MachineIdentityDiscovery, ScanProblem, ScanShard } from '@keyring/plugin-machine-identity-node';
import type { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { KubernetesScanner, type KubernetesScannerOptions } from '../KubernetesScanner';

/** Everything one scan reported. */
export interface ClusterScanResult {
  discoveries: MachineIdentityDiscovery[];
  problems: ScanProblem[];
  covered: string[];
  logs: string[];
  /** Whether the scan threw, and with what. */
  error?: Error;
}

/** The HMAC the test context uses for tokens (the engine uses a server-side key). */
export const testFingerprint = (value: string | Buffer) => createHmac('sha256', 'k8s-test').update(value).digest('hex');

/** A `kubernetes` source block for an emulator, as an operator writes it. */
export function emulatorSource(emulator: KubernetesEmulator, extra: Record<string, unknown> = {}) {
  return {
    id: 'test-cluster',
    type: 'kubernetes',
    cluster: { name: 'test', url: emulator.url, serviceAccountToken: emulator.token, caData: emulator.caData, skipTLSVerify: false },
    ...extra,
  };
}

/**
 * Runs the real scanner (real client, over the network) against a source
 * block, as one shard of it when `shard` is given; `scanner` keeps what it
 * remembers across runs (a new one is made when absent).
 */
export async function scanCluster(
  source: Record<string, any>,
  options: KubernetesScannerOptions = {},
  shard?: ScanShard,
  scanner = KubernetesScanner.create({ backoffMs: 10, ...options }),
): Promise<ClusterScanResult> {
  const result: ClusterScanResult = { discoveries: [], problems: [], covered: [], logs: [] };
  const logger = mockServices.logger.mock();
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    logger[level].mockImplementation((message: string) => void result.logs.push(`${level} ${message}`));
  }
  try {
    const discoveries = scanner.scan({
      source: { id: source.id, type: source.type, config: new ConfigReader(source) },
      logger,
      signal: new AbortController().signal,
      reportProblem: p => result.problems.push(p),
      reportCovered: scope => result.covered.push(scope),
      reportProgress: () => {},
      fingerprintSecret: testFingerprint,
      ...(shard ? { shard } : {}),
    });
    for await (const d of discoveries) result.discoveries.push(d);
  } catch (error) {
    result.error = error as Error;
  }
  return result;
}
