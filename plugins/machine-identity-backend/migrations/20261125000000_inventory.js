/* global exports */
/*
 * Keyring inventory schema. Timestamps are ISO-8601 UTC strings
 * (`2026-11-25T10:00:00.000Z`): they sort and compare the same way on
 * SQLite and PostgreSQL, so no dialect-specific date handling leaks out of
 * the store.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('identities', table => {
    table.comment('One machine identity, keyed by type + SHA-256 fingerprint');
    table.string('id', 64).primary();
    table.string('type', 32).notNullable();
    table.string('fingerprint_sha256', 64).notNullable();
    table.text('display_name').notNullable();
    table.text('subject');
    table.text('attributes').notNullable().comment('IdentityAttributes as JSON');
    table.string('not_after', 32);
    table.string('owner', 255);
    table.string('component', 255);
    table.string('ownership_rule', 32).notNullable();
    table.text('ownership_via');
    table.text('owner_hint').comment('Latest OwnerHint from a source, JSON');
    table.text('links').comment('IdentityLinks merged over observations, JSON');
    table.string('review_owner', 255).comment('Owner set by an explicit review decision');
    table.string('review_component', 255);
    table.string('state', 32).notNullable();
    table.string('state_changed_at', 32).notNullable();
    table.string('management', 32).notNullable();
    table.string('first_seen', 32).notNullable();
    table.string('last_seen', 32).notNullable();
    table.bigInteger('change_seq').notNullable();
    table.integer('observation_count').notNullable().defaultTo(0);
    table.integer('violation_count').notNullable().defaultTo(0);
    table.string('review_status', 32).notNullable().defaultTo('never');
    table.unique(['type', 'fingerprint_sha256'], {
      indexName: 'identities_type_fingerprint_uniq',
    });
    table.index(['owner', 'id'], 'identities_owner_idx');
    table.index(['component', 'id'], 'identities_component_idx');
    table.index(['type', 'id'], 'identities_type_idx');
    table.index(['state', 'id'], 'identities_state_idx');
    table.index(['not_after'], 'identities_not_after_idx');
    table.index(['ownership_rule'], 'identities_ownership_rule_idx');
    table.index(['management'], 'identities_management_idx');
    table.index(['last_seen'], 'identities_last_seen_idx');
    table.index(['first_seen'], 'identities_first_seen_idx');
    table.index(['state_changed_at'], 'identities_state_changed_at_idx');
    table.index(['violation_count'], 'identities_violation_count_idx');
    table.index(['review_status'], 'identities_review_status_idx');
    table.index(['fingerprint_sha256'], 'identities_fingerprint_idx');
  });
  await knex.schema.raw(
    'CREATE UNIQUE INDEX identities_change_seq_uniq ON identities (change_seq)',
  );

  await knex.schema.createTable('observations', table => {
    table.comment('Where a scan saw an identity');
    table
      .string('identity_id', 64)
      .notNullable()
      .references('id')
      .inTable('identities')
      .withKeyName('observations_identity_fk');
    table.string('source_id', 128).notNullable();
    table.text('location').notNullable();
    table.string('first_seen', 32).notNullable();
    table.string('last_seen', 32).notNullable();
    table.string('last_scan_id', 64).notNullable();
    table.string('gone_at', 32).comment('Set when a succeeded scan of the source no longer saw it');
    table.text('details').comment('Observation details as JSON');
    table.unique(['identity_id', 'source_id', 'location'], {
      indexName: 'observations_identity_source_location_uniq',
    });
    table.index(['source_id', 'last_seen'], 'observations_source_last_seen_idx');
    table.index(['source_id', 'last_scan_id'], 'observations_source_scan_idx');
  });

  await knex.schema.createTable('scan_runs', table => {
    table.comment('One scan of one source');
    table.string('id', 64).primary();
    table.string('source_id', 128).notNullable();
    table.string('status', 16).notNullable();
    table.string('trigger', 16).notNullable();
    table.string('claimed_at', 32).comment('When a worker picked the run up');
    table.string('started_at', 32).notNullable();
    table.string('finished_at', 32);
    table.integer('seen').notNullable().defaultTo(0);
    table.integer('added').notNullable().defaultTo(0);
    table.integer('retired').notNullable().defaultTo(0);
    table.integer('progress_done');
    table.integer('progress_total');
    table.integer('error_count').notNullable().defaultTo(0);
    table.text('errors').notNullable().comment('First ScanErrors as JSON, capped');
    table.index(['source_id', 'started_at'], 'scan_runs_source_started_idx');
    table.index(['status'], 'scan_runs_status_idx');
  });

  await knex.schema.createTable('audit_events', table => {
    table.comment('Append-only history');
    table.bigIncrements('id');
    table.string('identity_id', 64);
    table.string('at', 32).notNullable();
    table.string('action', 64).notNullable();
    table.string('actor', 255);
    table.text('message').notNullable();
    table.index(['identity_id', 'id'], 'audit_events_identity_idx');
    table.index(['at'], 'audit_events_at_idx');
  });

  await knex.schema.createTable('violations', table => {
    table.comment('Policy violations, open while resolved_at is null');
    table.bigIncrements('id');
    table.string('identity_id', 64).notNullable();
    table.string('rule_id', 128).notNullable();
    table.string('severity', 16).notNullable();
    table.text('message').notNullable();
    table.text('remediation').notNullable();
    table.string('first_detected', 32).notNullable();
    table.string('resolved_at', 32);
    table.index(['identity_id'], 'violations_identity_idx');
    table.index(['rule_id'], 'violations_rule_idx');
  });
  await knex.schema.raw(
    'CREATE UNIQUE INDEX violations_open_uniq ON violations (identity_id, rule_id) WHERE resolved_at IS NULL',
  );

  await knex.schema.createTable('waivers', table => {
    table.comment('Accepted exceptions to a policy rule for one identity');
    table.bigIncrements('id');
    table.string('identity_id', 64).notNullable();
    table.string('rule_id', 128).notNullable();
    table.text('reason').notNullable();
    table.string('approver', 255).notNullable();
    table.string('created_at', 32).notNullable();
    table.string('expires_at', 32);
    table.index(['identity_id', 'rule_id'], 'waivers_identity_rule_idx');
  });

  await knex.schema.createTable('settings', table => {
    table.comment('Plugin-owned settings, e.g. the generated token HMAC key');
    table.string('key', 64).primary();
    table.text('value').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('settings');
  await knex.schema.dropTable('waivers');
  await knex.schema.raw('DROP INDEX violations_open_uniq');
  await knex.schema.dropTable('violations');
  await knex.schema.dropTable('audit_events');
  await knex.schema.dropTable('scan_runs');
  await knex.schema.dropTable('observations');
  await knex.schema.raw('DROP INDEX identities_change_seq_uniq');
  await knex.schema.dropTable('identities');
};
