/* global exports */
/*
 * GET /summary from counters: identity_counts holds how many identities have
 * each (type, state, management, owned, violating) combination, maintained by
 * the store in the same transaction as every identity write. Expiry buckets
 * depend on the clock and are counted from (state, not_after).
 * Also drops indexes no query uses any more, which every scan had to update
 * (last_seen moves on every re-scan).
 */

const COUNT_SQL = `
  INSERT INTO identity_counts (type, state, management, owned, violating, n)
  SELECT type, state, management,
         CASE WHEN ownership_rule <> 'fallback' AND owner IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN violation_count > 0 THEN 1 ELSE 0 END,
         count(*)
  FROM identities
  GROUP BY type, state, management,
           CASE WHEN ownership_rule <> 'fallback' AND owner IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN violation_count > 0 THEN 1 ELSE 0 END`;

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('identity_counts', table => {
    table.comment('Identities per type, state, management, owned and violating; kept by the store');
    table.string('type', 32).notNullable();
    table.string('state', 32).notNullable();
    table.string('management', 32).notNullable();
    table.integer('owned').notNullable().comment('1 when owned by a rule other than the fallback');
    table.integer('violating').notNullable().comment('1 when violation_count > 0');
    table.bigInteger('n').notNullable();
    table.primary(['type', 'state', 'management', 'owned', 'violating'], 'identity_counts_pk');
  });
  await knex.raw(COUNT_SQL);
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_summary_idx');
    table.dropIndex([], 'identities_last_seen_idx');
    table.dropIndex([], 'identities_ownership_rule_idx');
    table.dropIndex([], 'identities_management_idx');
    table.index(['state', 'not_after'], 'identities_state_not_after_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_state_not_after_idx');
    table.index(['management'], 'identities_management_idx');
    table.index(['ownership_rule'], 'identities_ownership_rule_idx');
    table.index(['last_seen'], 'identities_last_seen_idx');
    table.index(
      ['state', 'type', 'management', 'ownership_rule', 'violation_count', 'not_after', 'owner'],
      'identities_summary_idx',
    );
  });
  await knex.schema.dropTable('identity_counts');
};
