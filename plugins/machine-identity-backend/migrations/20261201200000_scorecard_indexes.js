/* global exports */
/*
 * Scorecard facts (GET facts per Component and Group through
 * machineIdentityServiceRef): covering indexes so each per-entity aggregate
 * reads the index only, not the wide identity rows. Only the 47-day
 * readiness count still reads rows, and only those of automated TLS
 * certificates. None of these columns changes on a plain re-scan
 * (last_seen is not indexed), so re-scans keep their HOT updates.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.index(
      ['component', 'state', 'type', 'management', 'ownership_rule', 'owner', 'not_after', 'violation_count'],
      'identities_component_facts_idx',
    );
    table.index(
      ['owner', 'state', 'type', 'management', 'ownership_rule', 'not_after', 'violation_count'],
      'identities_owner_facts_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_owner_facts_idx');
    table.dropIndex([], 'identities_component_facts_idx');
  });
};
