/* global exports */
/*
 * Retirement on evidence: a succeeded run that would retire more than
 * `machineIdentity.retirement.maxShare` of a source's active identities
 * retires nothing and keeps the ids it held back here, so the next run of
 * the source can confirm them.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scan_runs', table => {
    table.text('held_retirement').comment('Ids of identities whose retirement this run held back (guard), JSON');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scan_runs', table => {
    table.dropColumn('held_retirement');
  });
};
