import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  machineIdentityPolicyRulesExtensionPoint,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
  type MachineIdentityScanner,
  type PolicyRule,
} from '@keyring/plugin-machine-identity-node';
import { createHash } from 'node:crypto';
import { makeCertificate } from './__testUtils__/testPki';
import { runScanner } from '@keyring/plugin-machine-identity-node/testUtils';
import { TestServers } from './__testUtils__/testServers';
import machineIdentityModuleTls from './index';

describe('machineIdentityModuleTls', () => {
  const servers = new TestServers();
  afterAll(() => servers.closeAll());

  it('registers working tls and certificate-files scanners and the tls.* policy rules with the plugin that owns the extension points', async () => {
    const received: MachineIdentityScanner[] = [];
    const rules: PolicyRule[] = [];
    const owner = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerExtensionPoint(machineIdentityScannersExtensionPoint, {
          addScanner: (...scanners) => received.push(...scanners),
        });
        env.registerExtensionPoint(machineIdentityPolicyRulesExtensionPoint, {
          addPolicyRule: (...added) => rules.push(...added),
        });
        // The ACME revoker is only added when machineIdentity.revocation.acme is set.
        env.registerExtensionPoint(machineIdentityRevokersExtensionPoint, { addRevoker: () => {} });
        env.registerInit({ deps: {}, async init() {} });
      },
    });
    const backend = await startTestBackend({
      features: [
        owner,
        machineIdentityModuleTls,
        mockServices.rootConfig.factory({ data: { machineIdentity: { policies: { tls: { maxValidityDays: { internal: 200 } } } } } }),
      ],
    });
    try {
      expect(received.flatMap(s => s.sourceTypes).sort()).toEqual(['certificate-files', 'tls']);
      expect(rules.map(r => r.id)).toEqual([
        'tls.expired', 'tls.expiry', 'tls.validity', 'tls.key-size', 'tls.sha1-signature', 'tls.issuer', 'tls.self-signed', 'tls.automation',
      ]);
      // Thresholds come from the module's own config keys.
      expect(rules.find(r => r.id === 'tls.validity')!.parameters({} as never)).toEqual({ maxValidityDays: { public: 90, internal: 200 } });
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
