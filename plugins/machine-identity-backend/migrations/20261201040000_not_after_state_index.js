/* global exports */
/*
 * One (not_after, state) index for both expiry queries: the summary's expiry
 * buckets read it index-only, and SQLite's planner keeps walking (state, id)
 * for `state = … AND expiresWithinDays` pages instead of range-scanning
 * (state, not_after) and sorting, which was 30 times slower at 300,000.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_state_not_after_idx');
    table.dropIndex([], 'identities_not_after_idx');
    table.index(['not_after', 'state'], 'identities_not_after_state_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_not_after_state_idx');
    table.index(['not_after'], 'identities_not_after_idx');
    table.index(['state', 'not_after'], 'identities_state_not_after_idx');
  });
};
