import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import { startMachineIdentityTestBackend } from '@keyring/plugin-machine-identity-node/testUtils';
import type { Knex } from 'knex';
import machineIdentityModuleKubernetes from '../index';
import type { FixtureCluster } from './fixtureCluster';
import { emulatorSource } from './scanCluster';

const paymentsApi = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'payments-api' } },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/payments' },
};

/**
 * The real machine-identity backend plugin with this module on `knex`, scanning
 * the fixture cluster as source `fixture-cluster` (`source`: more keys of its
 * block, e.g. `shards`; `machineIdentity`: more keys of the plugin's config),
 * with REST helpers: `scan()` starts a scan and waits (at most a minute) for
 * its outcome. `lines` collects every log line.
 */
export async function startKubernetesBackend(
  fixture: FixtureCluster,
  knex: Knex,
  lines: string[] = [],
  source: Record<string, unknown> = {},
  machineIdentity: Record<string, unknown> = {},
) {
  const started = await startMachineIdentityTestBackend({
    features: [machineIdentityPlugin, machineIdentityModuleKubernetes, catalogServiceMock.factory({ entities: [paymentsApi] })],
    knex,
    machineIdentity: { ...machineIdentity, sources: [emulatorSource(fixture.emulator, { id: 'fixture-cluster', ...source })] },
    logLines: lines,
  });
  const identityAt = async (type: string, displayName: string) => (await started.identities({ type })).find(i => i.displayName === displayName);
  return { ...started, scan: () => started.scan('fixture-cluster'), identityAt };
}
