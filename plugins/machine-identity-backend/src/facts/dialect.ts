import type { Knex } from 'knex';
import type { IdentityState } from '@keyring/plugin-machine-identity-common';

/** States of identities that still exist (what facts and checks count). */
export const LIVE_STATES: IdentityState[] = ['active', 'pending-revocation'];

/** Whether the knex client talks to PostgreSQL (else SQLite). */
export function isPostgres(db: Knex): boolean {
  const client = String(db.client.config.client ?? '');
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
}
