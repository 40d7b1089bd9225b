import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AwsEmulator } from '@keyring/cloud-emulators/aws';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import { startMachineIdentityTestBackend } from '@keyring/plugin-machine-identity-node/testUtils';
import type { Knex } from 'knex';
import machineIdentityModuleAws from '../index';
import { awsDemoConfig } from './awsBackend';

const ENTITIES: Entity[] = [
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'platform-team' }, spec: { type: 'team', children: [] } },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'deploy-tooling', annotations: { 'keyring.io/aws-iam-users': 'deploy-bot' } },
    spec: { type: 'service', lifecycle: 'production', owner: 'platform-team' },
  },
];

/**
 * The real machine-identity backend plugin with this module on `knex`,
 * configured with `config` (default: the `aws-demo` source of
 * {@link awsDemoConfig}), with REST helpers: `scan()` starts a scan of
 * `aws-demo` and waits for its outcome. `lines` collects every log line.
 */
export async function startAwsBackend(emulator: AwsEmulator, knex: Knex, lines: string[] = [], config: object = awsDemoConfig(emulator)) {
  const started = await startMachineIdentityTestBackend({
    features: [machineIdentityPlugin, machineIdentityModuleAws, catalogServiceMock.factory({ entities: ENTITIES })],
    knex,
    config: config as Record<string, unknown>,
    logLines: lines,
  });
  return { ...started, scan: () => started.scan('aws-demo'), identities: () => started.identities() };
}
