/**
 * Extension points and contracts for Keyring backend modules.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './extensions';
export * from './policy';
export * from './countDistinctAccounts';
export * from './readPositivePolicyNumber';
export * from './revokers';
export * from './createScannerModule';
export * from './certificates';
export * from './service';
export * from './files';
export * from './secrets';
export * from './text';
export * from './scanning';
