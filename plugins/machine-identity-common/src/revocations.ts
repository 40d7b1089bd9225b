import type { components } from './generated/openapi';

type ApiSchemas = components['schemas'];

/** Where a revocation request stands. */
export type RevocationState = ApiSchemas['RevocationState'];

/** Every revocation state, in workflow order. */
export const REVOCATION_STATES: readonly RevocationState[] = [
  'requested',
  'approved',
  'executing',
  'executed',
  'verified',
  'rejected',
  'failed',
  'manual',
  'expired',
];

/** States of a request that still needs something to happen (one per identity). */
export const OPEN_REVOCATION_STATES: readonly RevocationState[] = [
  'requested',
  'approved',
  'executing',
  'executed',
  'manual',
];

/** What started a revocation request. */
export type RevocationTrigger = ApiSchemas['RevocationTrigger'];

/** One place a scan saw the credential when the revocation was requested. */
export type RevocationPlace = ApiSchemas['RevocationPlace'];

/** A request to revoke one machine identity. */
export type RevocationRequest = ApiSchemas['RevocationRequest'];

/** A credential of a retired Component that another live Component uses too: flagged, not revoked. */
export type RevocationFlag = ApiSchemas['RevocationFlag'];

/** Why a Component counts as retired. */
export type RetiredComponentStatus = ApiSchemas['RetiredComponent']['status'];

/** A Component retired in the catalog, with its revocation work. */
export type RetiredComponent = ApiSchemas['RetiredComponent'];
