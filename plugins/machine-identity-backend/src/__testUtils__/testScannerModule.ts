import { createHash } from 'node:crypto';
import type { IdentityType } from '@keyring/plugin-machine-identity-common';
import {
  type MachineIdentityDiscovery,
  type ScannerContext,
  createScannerModule,
} from '@keyring/plugin-machine-identity-node';

/** What the test scanner does for one source on its next run. */
export type ScanPlan = (context: ScannerContext) => AsyncIterable<MachineIdentityDiscovery>;

/** Plans per source id, set by the test before it triggers a scan. */
export const scanPlans = new Map<string, ScanPlan>();

/** A deterministic fingerprint for test key `n`. */
export function fingerprintOf(n: number | string): string {
  return createHash('sha256').update(`test-key-${n}`).digest('hex');
}

/** A discovery of test key `n` at a location. */
export function discovery(
  n: number,
  overrides: Partial<MachineIdentityDiscovery> = {},
): MachineIdentityDiscovery {
  const type: IdentityType = overrides.type ?? (n % 3 === 0 ? 'ssh-key' : 'tls-certificate');
  return {
    type,
    fingerprintSha256: fingerprintOf(n),
    displayName: `identity-${n}.example.test`,
    attributes: { subject: `CN=identity-${n}.example.test`, keyAlgorithm: 'ed25519' },
    location: `127.0.0.1:${1000 + n}`,
    ...overrides,
  };
}

/** Yields the given discoveries. */
export function yields(...items: MachineIdentityDiscovery[]): ScanPlan {
  return async function* plan() {
    yield* items;
  };
}

/**
 * A plan that first reports positive evidence for `scopes` (see
 * `ScannerContext.reportCovered`), then runs `plan`: what a scanner does when
 * it listed those places completely. Only covered places may lose identities.
 */
export function covering(scopes: string[], plan: ScanPlan): ScanPlan {
  return context => {
    for (const scope of scopes) context.reportCovered(scope);
    return plan(context);
  };
}

/**
 * A real scanner module registered through the extension point; it serves
 * source type `test` and follows {@link scanPlans}.
 */
export const testScannerModule = createScannerModule({
  moduleId: 'test-scanner',
  scanner: {
    sourceTypes: ['test'],
    scan(context) {
      const plan = scanPlans.get(context.source.id);
      if (!plan) {
        throw new Error(`no plan for source ${context.source.id}`);
      }
      return plan(context);
    },
  },
});
