/* global exports */
/*
 * A covering index for GET /summary: its two aggregate queries read only
 * these columns, so they scan the index instead of the wide identity rows.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.index(
      ['state', 'type', 'management', 'ownership_rule', 'violation_count', 'not_after', 'owner'],
      'identities_summary_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_summary_idx');
  });
};
