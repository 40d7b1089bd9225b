/**
 * Keyring module: TLS endpoint and certificate file scanners, and the TLS policy rules.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleTls as default, machineIdentityModuleTls } from './module';
export { TlsScanner, readTlsSourceSettings } from './TlsScanner';
export type { TlsScannerOptions, TlsSourceSettings } from './TlsScanner';
export { createTlsPolicyRules } from './policy/createTlsPolicyRules';
export { DEFAULT_TLS_POLICY_SETTINGS, readTlsPolicySettings } from './policy/TlsPolicySettings';
export type { TlsPolicySettings, TlsPolicySettingsOverrides } from './policy/TlsPolicySettings';
export { CertificateFilesScanner } from './CertificateFilesScanner';
export type { CertificateFilesScannerOptions } from './CertificateFilesScanner';
export { parseCertificate } from '@keyring/plugin-machine-identity-node';
export type { ParsedCertificate } from '@keyring/plugin-machine-identity-node';
export { CertificateCache } from '@keyring/plugin-machine-identity-node';
export type { CertificateCacheOptions, CertificateCacheStats } from '@keyring/plugin-machine-identity-node';
export { readCertificateBlocks } from '@keyring/plugin-machine-identity-node';
export type { CertificateBlock, CertificateFileContents } from '@keyring/plugin-machine-identity-node';
export { parseTarget, MAX_ADDRESSES_PER_TARGET } from './scanning/parseTargets';
export type { Endpoint, ParsedTarget } from './scanning/parseTargets';
