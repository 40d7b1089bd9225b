/**
 * Keyring scanner module: SSH keys in authorized_keys and known_hosts files,
 * and sshd host keys fetched over the SSH protocol; the SSH policy rules.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleSsh as default } from './module';
export { SshFilesScanner, SSH_FILES_SOURCE_TYPE } from './files/SshFilesScanner';
export { SshHostsScanner, SSH_HOSTS_SOURCE_TYPE } from './hosts/SshHostsScanner';
export { createSshPolicyRules } from './policy/createSshPolicyRules';
export { DEFAULT_SSH_POLICY_SETTINGS, readSshPolicySettings } from './policy/SshPolicySettings';
export type { SshPolicySettings } from './policy/SshPolicySettings';
export { SshAuthorizedKeysRevoker } from './revoker/SshAuthorizedKeysRevoker';
export { parseSshKeyBlob, openSshFingerprintFromHex } from './parsing/parseSshKeyBlob';
export type { ParsedSshKey, SshCertificateInfo } from './parsing/parseSshKeyBlob';
export { parseSshKeyLine } from './parsing/parseSshKeyLine';
export type { SshKeyEntry, SshKeyFileFormat, SshKeyLineResult } from './parsing/parseSshKeyLine';
export { parseSshKeyFileText } from './parsing/parseSshKeyFile';
export type { SshKeyFileParse } from './parsing/parseSshKeyFile';
export type { SshKeyOption } from './parsing/parseAuthorizedKeysOptions';
