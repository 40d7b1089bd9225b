import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { SshFilesScanner } from './files/SshFilesScanner';
import { SshHostsScanner } from './hosts/SshHostsScanner';
import { SshAuthorizedKeysRevoker } from './revoker/SshAuthorizedKeysRevoker';

/**
 * Adds the SSH scanners to the machine-identity plugin: `ssh-files`
 * (authorized_keys and known_hosts files) and `ssh-hosts` (sshd host keys), and
 * the revoker that removes a key from the authorized_keys files it was found in.
 */
export const machineIdentityModuleSsh = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'ssh',
  register(env) {
    env.registerInit({
      deps: { scanners: machineIdentityScannersExtensionPoint, revokers: machineIdentityRevokersExtensionPoint },
      async init({ scanners, revokers }) {
        scanners.addScanner(SshFilesScanner.create(), SshHostsScanner.create());
        revokers.addRevoker(SshAuthorizedKeysRevoker.create());
      },
    });
  },
});
