/* global exports */
/*
 * The urgency order of GET /identities without an owner or Component filter
 * (the triage page's default): each lane of database/identityOrder.ts is an
 * `open_severity_rank` and a `not_after` range read in (not_after, id) order.
 * The owner and Component urgency indexes (20261202120000) lead with the
 * owner, so an unfiltered lane sorted every row of its rank: ~13 ms a lane at
 * 300,000 identities on PostgreSQL, three lanes for page 1. With this index a
 * lane is a range read of the rows it returns.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.index(['open_severity_rank', 'not_after', 'id'], 'identities_urgency_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_urgency_idx');
  });
};
