import machineIdentityModuleSsh from '@keyring/plugin-machine-identity-backend-module-ssh';
import machineIdentityModuleTls from '@keyring/plugin-machine-identity-backend-module-tls';

/**
 * The real TLS and SSH modules, for test backends that judge the test
 * scanner's certificates and keys by the `tls.*` and `ssh.*` rules (the core
 * has none of its own), as a portal with those modules installed does.
 */
export const typeRuleModules = [machineIdentityModuleTls, machineIdentityModuleSsh];
