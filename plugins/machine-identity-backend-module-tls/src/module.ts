import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { CertificateFilesScanner } from './CertificateFilesScanner';
import { AcmeRevoker } from './revokers/AcmeRevoker';
import { TlsScanner } from './TlsScanner';

/**
 * Adds the `tls` (endpoint) and `certificate-files` scanners to the
 * machine-identity plugin, and the `acme` revoker when
 * `machineIdentity.revocation.acme` names a CA.
 */
export const machineIdentityModuleTls = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'tls',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        revokers: machineIdentityRevokersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scanners, revokers, config }) {
        const approvedIssuerFiles =
          config.getOptionalStringArray('machineIdentity.policies.tls.approvedIssuers') ?? [];
        scanners.addScanner(
          TlsScanner.create({ approvedIssuerFiles }),
          CertificateFilesScanner.create({ approvedIssuerFiles }),
        );
        const acme = AcmeRevoker.fromConfig(config);
        if (acme) revokers.addRevoker(acme);
      },
    });
  },
});
