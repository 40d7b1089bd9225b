import {
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { machineIdentityScannersExtensionPoint } from './extensions';
import type { MachineIdentityScanner } from './types';

describe('machineIdentityScannersExtensionPoint', () => {
  it('delivers scanners added by a module to the plugin that owns the point', async () => {
    const received: MachineIdentityScanner[] = [];
    const plugin = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, {
          addScanner: (...scanners) => received.push(...scanners),
        });
        env.registerInit({ deps: {}, async init() {} });
      },
    });
    const scanner: MachineIdentityScanner = {
      sourceTypes: ['example'],
      async *scan() {},
    };
    const module = createBackendModule({
      pluginId: 'machine-identity',
      moduleId: 'example',
      register(env) {
        env.registerInit({
          deps: { scanners: machineIdentityScannersExtensionPoint },
          async init({ scanners }) {
            scanners.addScanner(scanner);
          },
        });
      },
    });
    const backend = await startTestBackend({ features: [plugin, module] });
    expect(received).toEqual([scanner]);
    await backend.stop();
  });
});
