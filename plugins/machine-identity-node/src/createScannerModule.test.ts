import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import { createScannerModule } from './createScannerModule';
import { machineIdentityScannersExtensionPoint } from './extensions';
import type { MachineIdentityScanner } from './types';

describe('createScannerModule', () => {
  it('adds its scanner to the machine-identity plugin through the extension point', async () => {
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
    const scanner: MachineIdentityScanner = { sourceTypes: ['example'], async *scan() {} };
    const backend = await startTestBackend({
      features: [plugin, createScannerModule({ moduleId: 'example', scanner })],
    });
    expect(received).toEqual([scanner]);
    await backend.stop();
  });
});
