import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  type MachineIdentityScanner,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import machineIdentityModuleKubernetes from './index';

describe('machineIdentityModuleKubernetes', () => {
  it('registers the kubernetes scanner on the machine-identity extension point', async () => {
    const scanners: MachineIdentityScanner[] = [];
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, { addScanner: (...added) => scanners.push(...added) });
        env.registerInit({ deps: { logger: coreServices.logger }, async init() {} });
      },
    });
    const backend = await startTestBackend({ features: [owner, machineIdentityModuleKubernetes] });
    try {
      expect(scanners.map(s => [...s.sourceTypes])).toEqual([['kubernetes']]);
    } finally {
      await backend.stop();
    }
  });
});
