/* global exports */
/*
 * Cheaper scans: drops indexes that no query uses but every insert (and, for
 * observations.last_seen, every re-scan) had to maintain, and on PostgreSQL
 * leaves free space in each page so a re-scan's last_seen / last_scan_id
 * updates can stay on the page (HOT updates, no index writes).
 * identities_fingerprint_idx could not serve the `q` prefix search anyway
 * (LIKE needs a pattern-ops index outside the C collation).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_first_seen_idx');
    table.dropIndex([], 'identities_state_changed_at_idx');
    table.dropIndex([], 'identities_fingerprint_idx');
  });
  await knex.schema.alterTable('observations', table => {
    table.dropIndex([], 'observations_source_last_seen_idx');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE identities SET (fillfactor = 80)');
    await knex.raw('ALTER TABLE observations SET (fillfactor = 80)');
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE observations RESET (fillfactor)');
    await knex.raw('ALTER TABLE identities RESET (fillfactor)');
  }
  await knex.schema.alterTable('observations', table => {
    table.index(['source_id', 'last_seen'], 'observations_source_last_seen_idx');
  });
  await knex.schema.alterTable('identities', table => {
    table.index(['fingerprint_sha256'], 'identities_fingerprint_idx');
    table.index(['state_changed_at'], 'identities_state_changed_at_idx');
    table.index(['first_seen'], 'identities_first_seen_idx');
  });
};
