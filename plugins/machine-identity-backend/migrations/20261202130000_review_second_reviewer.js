/* global exports */
/*
 * Second reviewer for privileged identities: a campaign opened with
 * `machineIdentity.reviews.requireSecondReviewer` marks its privileged items;
 * a confirmation of such an item is recorded as the first attestation and
 * counts only once a second, different member confirms it.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('review_campaigns', table => {
    table.boolean('second_reviewer').notNullable().defaultTo(false).comment('Privileged items need two confirmations');
    table.integer('awaiting_second_review').notNullable().defaultTo(0).comment('Items confirmed once, awaiting the second member');
  });
  await knex.schema.alterTable('review_items', table => {
    table.string('privileged_reason', 255).comment('Why the identity is privileged; set only in second-reviewer campaigns');
    table.string('first_confirmed_by', 255).comment('The first of two confirming members');
    table.string('first_confirmed_at', 32);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('review_items', table => {
    table.dropColumn('privileged_reason');
    table.dropColumn('first_confirmed_by');
    table.dropColumn('first_confirmed_at');
  });
  await knex.schema.alterTable('review_campaigns', table => {
    table.dropColumn('second_reviewer');
    table.dropColumn('awaiting_second_review');
  });
};
