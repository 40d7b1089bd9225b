/**
 * Keyring scanner module: SSH keys in authorized_keys and known_hosts files,
 * and sshd host keys fetched over the SSH protocol.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleSsh as default } from './module';
export { SshFilesScanner, SSH_FILES_SOURCE_TYPE } from './files/SshFilesScanner';
export { SshHostsScanner, SSH_HOSTS_SOURCE_TYPE } from './hosts/SshHostsScanner';
export { SshAuthorizedKeysRevoker } from './revoker/SshAuthorizedKeysRevoker';
export { parseSshKeyBlob, openSshFingerprintFromHex } from './parsing/parseSshKeyBlob';
export type { ParsedSshKey, SshCertificateInfo } from './parsing/parseSshKeyBlob';
export { parseSshKeyLine } from './parsing/parseSshKeyLine';
export type { SshKeyEntry, SshKeyFileFormat, SshKeyLineResult } from './parsing/parseSshKeyLine';
export { parseSshKeyFileText } from './parsing/parseSshKeyFile';
export type { SshKeyFileParse } from './parsing/parseSshKeyFile';
export type { SshKeyOption } from './parsing/parseAuthorizedKeysOptions';
