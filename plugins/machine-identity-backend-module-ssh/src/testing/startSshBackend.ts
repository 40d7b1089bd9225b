import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import machineIdentityPlugin from '@keyring/plugin-machine-identity-backend';
import { startMachineIdentityTestBackend } from '@keyring/plugin-machine-identity-node/testUtils';
import type { Knex } from 'knex';
import { machineIdentityModuleSsh } from '../module';

/**
 * The real machine-identity backend plugin with this module on `knex`,
 * configured with `machineIdentity` (fallback owner preset), and a helper
 * that starts a scan of a source and waits for its run to end.
 */
export async function startSshBackend(knex: Knex, machineIdentity: Record<string, unknown>) {
  return startMachineIdentityTestBackend({
    features: [machineIdentityPlugin, machineIdentityModuleSsh, catalogServiceMock.factory({ entities: [] })],
    knex,
    machineIdentity,
  });
}
