import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { machineIdentityScannersExtensionPoint } from '@keyring/plugin-machine-identity-node';
import { CertificateFilesScanner } from './CertificateFilesScanner';
import { TlsScanner } from './TlsScanner';

/**
 * Adds the `tls` (endpoint) and `certificate-files` scanners to the
 * machine-identity plugin.
 */
export const machineIdentityModuleTls = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'tls',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scanners, config }) {
        const approvedIssuerFiles =
          config.getOptionalStringArray('machineIdentity.policies.tls.approvedIssuers') ?? [];
        scanners.addScanner(
          TlsScanner.create({ approvedIssuerFiles }),
          CertificateFilesScanner.create({ approvedIssuerFiles }),
        );
      },
    });
  },
});
