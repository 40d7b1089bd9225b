/**
 * Keyring scanner module: TLS endpoints and certificate files.
 *
 * @packageDocumentation
 */
export { machineIdentityModuleTls as default, machineIdentityModuleTls } from './module';
export { TlsScanner, readTlsSourceSettings } from './TlsScanner';
export type { TlsScannerOptions, TlsSourceSettings } from './TlsScanner';
export { CertificateFilesScanner } from './CertificateFilesScanner';
export type { CertificateFilesScannerOptions } from './CertificateFilesScanner';
export { parseCertificate } from './parsing/parseCertificate';
export type { ParsedCertificate } from './parsing/parseCertificate';
export { CertificateCache } from './parsing/CertificateCache';
export type { CertificateCacheOptions, CertificateCacheStats } from './parsing/CertificateCache';
export { readCertificateBlocks } from './files/readCertificateBlocks';
export type { CertificateBlock, CertificateFileContents } from './files/readCertificateBlocks';
export { parseTarget, MAX_ADDRESSES_PER_TARGET } from './scanning/parseTargets';
export type { Endpoint, ParsedTarget } from './scanning/parseTargets';
