/* global exports */
/*
 * The expiry digest ledger: one row per (owner, UTC day, kind) sent, so each
 * owner gets at most one digest and one escalation a day across restarts
 * and replicas. A claim is an insert; a failed send deletes its row.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('notification_digests', table => {
    table.comment('Expiry digests and escalations sent, one per owner, day and kind');
    table.string('owner', 255).notNullable();
    table.string('day', 10).notNullable().comment('UTC day, YYYY-MM-DD');
    table.string('kind', 32).notNullable().comment('digest | escalation');
    table.string('sent_at', 32).notNullable();
    table.integer('item_count').notNullable();
    table.primary(['owner', 'day', 'kind'], 'notification_digests_pk');
    table.index(['day'], 'notification_digests_day_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('notification_digests');
};
