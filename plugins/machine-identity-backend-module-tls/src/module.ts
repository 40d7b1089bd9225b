import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityPolicyRulesExtensionPoint,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { CertificateFilesScanner } from './CertificateFilesScanner';
import { createTlsPolicyRules } from './policy/createTlsPolicyRules';
import { readTlsPolicySettings } from './policy/TlsPolicySettings';
import { AcmeRevoker } from './revokers/AcmeRevoker';
import { TlsScanner } from './TlsScanner';

/**
 * Adds the `tls` (endpoint) and `certificate-files` scanners and the `tls.*`
 * policy rules (thresholds from `machineIdentity.policies.tls`) to the
 * machine-identity plugin. The rules judge every `tls-certificate` identity,
 * whichever scanner found it (Kubernetes and AWS too).
 */
export const machineIdentityModuleTls = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'tls',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        policyRules: machineIdentityPolicyRulesExtensionPoint,
        revokers: machineIdentityRevokersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scanners, policyRules, revokers, config }) {
        const tlsPolicy = readTlsPolicySettings(config);
        const approvedIssuerFiles = tlsPolicy.approvedIssuers ?? [];
        scanners.addScanner(
          TlsScanner.create({ approvedIssuerFiles }),
          CertificateFilesScanner.create({ approvedIssuerFiles }),
        );
        policyRules.addPolicyRule(...createTlsPolicyRules(tlsPolicy));
        const acme = AcmeRevoker.fromConfig(config);
        if (acme) revokers.addRevoker(acme);
      },
    });
  },
});
