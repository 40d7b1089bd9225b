import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  machineIdentityScannersExtensionPoint,
  type MachineIdentityScanner,
} from '@keyring/plugin-machine-identity-node';
import { createHash } from 'node:crypto';
import { makeCertificate } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { TestServers } from './__testUtils__/testServers';
import machineIdentityModuleTls from './index';

describe('machineIdentityModuleTls', () => {
  const servers = new TestServers();
  afterAll(() => servers.closeAll());

  it('registers working tls and certificate-files scanners with the plugin that owns the extension point', async () => {
    const received: MachineIdentityScanner[] = [];
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, {
          addScanner: (...scanners) => received.push(...scanners),
        });
        env.registerInit({ deps: {}, async init() {} });
      },
    });
    const backend = await startTestBackend({
      features: [owner, machineIdentityModuleTls, mockServices.rootConfig.factory({ data: {} })],
    });
    try {
      expect(received.flatMap(s => s.sourceTypes).sort()).toEqual(['certificate-files', 'tls']);
      const leaf = await makeCertificate({ subject: 'CN=module.example.test' });
      const port = await servers.tls('127.0.113.1', 0, { key: leaf.keyPem, cert: leaf.certPem });
      const tlsScanner = received.find(s => s.sourceTypes.includes('tls'))!;
      const out = await runScanner(tlsScanner, { type: 'tls', targets: [`127.0.113.1:${port}`] });
      expect(out.discoveries.map(d => d.fingerprintSha256)).toEqual([createHash('sha256').update(leaf.der).digest('hex')]);
    } finally {
      await backend.stop();
    }
  });
});
