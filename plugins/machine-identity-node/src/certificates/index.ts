export { parseCertificate, parseX509Certificate } from './parseCertificate';
export type { ParsedCertificate } from './parseCertificate';
export { CertificateCache } from './CertificateCache';
export type { CertificateCacheOptions, CertificateCacheStats } from './CertificateCache';
export { readCertificateBlocks, readCertificateBlocksYielding } from './readCertificateBlocks';
export type { CertificateBlock, CertificateFileContents } from './readCertificateBlocks';
export { KEY_ALGORITHMS } from './oids';
export { RawCertificate } from './certificateSchema';
export { certificateAttributes } from './certificateAttributes';
