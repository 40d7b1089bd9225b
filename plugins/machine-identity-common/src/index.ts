/**
 * Isomorphic types, constants, permissions and the MachineIdentity kind for Keyring.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './constants';
export * from './permissions';
export * from './entity';
export * from './client';
export * from './revocations';
export * from './reviews';
export * from './signals';
