import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  machineIdentityPolicyRulesExtensionPoint,
  machineIdentityRevokersExtensionPoint,
  machineIdentityScannersExtensionPoint,
} from '@keyring/plugin-machine-identity-node';
import { SshFilesScanner } from './files/SshFilesScanner';
import { SshHostsScanner } from './hosts/SshHostsScanner';
import { createSshPolicyRules } from './policy/createSshPolicyRules';
import { readSshPolicySettings } from './policy/SshPolicySettings';
import { SshAuthorizedKeysRevoker } from './revoker/SshAuthorizedKeysRevoker';

/**
 * Adds the SSH scanners to the machine-identity plugin: `ssh-files`
 * (authorized_keys and known_hosts files) and `ssh-hosts` (sshd host keys), the
 * revoker that removes a key from the authorized_keys files it was found in, and
 * the `ssh.*` policy rules (thresholds from `machineIdentity.policies.ssh`), which
 * judge every `ssh-key` identity, whichever scanner found it.
 */
export const machineIdentityModuleSsh = createBackendModule({
  pluginId: 'machine-identity',
  moduleId: 'ssh',
  register(env) {
    env.registerInit({
      deps: {
        scanners: machineIdentityScannersExtensionPoint,
        revokers: machineIdentityRevokersExtensionPoint,
        policyRules: machineIdentityPolicyRulesExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scanners, revokers, policyRules, config }) {
        scanners.addScanner(SshFilesScanner.create(), SshHostsScanner.create());
        revokers.addRevoker(SshAuthorizedKeysRevoker.create());
        policyRules.addPolicyRule(...createSshPolicyRules(readSshPolicySettings(config)));
      },
    });
  },
});
