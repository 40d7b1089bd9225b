/* global exports */
/*
 * Cheaper re-scans: observations_source_scan_idx (source_id, last_scan_id)
 * made every re-scan's last_scan_id update an index write (on PostgreSQL a
 * non-HOT update touching every index of the row). The only query it served,
 * "observations of a source not refreshed by this run" (`last_scan_id <> ?`),
 * cannot range-scan on the inequality anyway; an index on source_id alone
 * serves it and is never written by a re-scan.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table.dropIndex([], 'observations_source_scan_idx');
    table.index(['source_id'], 'observations_source_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('observations', table => {
    table.dropIndex([], 'observations_source_idx');
    table.index(['source_id', 'last_scan_id'], 'observations_source_scan_idx');
  });
};
