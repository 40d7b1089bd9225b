import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  type MachineIdentityRevoker,
  type MachineIdentityScanner,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import machineIdentityModuleKubernetes from './index';

describe('machineIdentityModuleKubernetes', () => {
  it('registers the kubernetes scanner and the Secret revoker on the machine-identity extension points', async () => {
    const scanners: MachineIdentityScanner[] = [];
    const revokers: MachineIdentityRevoker[] = [];
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, { addScanner: (...added) => scanners.push(...added) });
        env.registerExtensionPoint(machineIdentityRevokersExtensionPoint, { addRevoker: (...added) => revokers.push(...added) });
        env.registerInit({ deps: { logger: coreServices.logger }, async init() {} });
      },
    });
    const backend = await startTestBackend({ features: [owner, machineIdentityModuleKubernetes] });
    try {
      expect(scanners.map(s => [...s.sourceTypes])).toEqual([['kubernetes']]);
      expect(revokers.map(r => r.id)).toEqual(['kubernetes-secrets']);
    } finally {
      await backend.stop();
    }
  });
});
