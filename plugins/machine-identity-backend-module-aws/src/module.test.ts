import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
  type MachineIdentityRevoker,
  type MachineIdentityScanner,
} from '@keyring/plugin-machine-identity-node';
import machineIdentityModuleAws from './index';

describe('machineIdentityModuleAws', () => {
  it('registers the aws-iam scanner and the aws-iam revoker on the machine-identity extension points', async () => {
    const scanners: MachineIdentityScanner[] = [];
    const revokers: MachineIdentityRevoker[] = [];
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, { addScanner: (...s) => scanners.push(...s) });
        env.registerExtensionPoint(machineIdentityRevokersExtensionPoint, { addRevoker: (...r) => revokers.push(...r) });
        env.registerInit({ deps: { logger: coreServices.logger }, async init() {} });
      },
    });
    const backend = await startTestBackend({ features: [owner, machineIdentityModuleAws] });
    try {
      expect(scanners.map(s => [...s.sourceTypes])).toEqual([['aws-iam']]);
      expect(revokers.map(r => r.id)).toEqual(['aws-iam']);
    } finally {
      await backend.stop();
    }
  });
});
