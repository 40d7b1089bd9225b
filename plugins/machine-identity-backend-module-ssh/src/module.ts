import { createBackendModule } from '@backstage/backend-plugin-api';
import { machineIdentityScannersExtensionPoint } from '@keyring/plugin-machine-identity-node';
import { SshFilesScanner } from './files/SshFilesScanner';
import { SshHostsScanner } from './hosts/SshHostsScanner';

/**
 * Adds the SSH scanners to the machine-identity plugin: `ssh-files`
 * (authorized_keys and known_hosts files) and `ssh-hosts` (sshd host keys).
 */
export const machineIdentityModuleSsh = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'ssh',
  register(env) {
    env.registerInit({
      deps: { scanners: machineIdentityScannersExtensionPoint },
      async init({ scanners }) {
        scanners.addScanner(SshFilesScanner.create(), SshHostsScanner.create());
      },
    });
  },
});
