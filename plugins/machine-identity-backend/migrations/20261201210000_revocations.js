/* global exports */
/*
 * Revocation workflow: requests and their lifecycle, Components retired in the
 * catalog (decommissioned or gone past the grace period), and shared
 * credentials flagged for their owners instead of being revoked.
 * Timestamps are ISO-8601 UTC strings, as in the inventory schema.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('revocation_requests', table => {
    table.comment('One request to revoke one identity, from requested to verified');
    table.string('id', 64).primary();
    table.string('identity_id', 64).notNullable();
    table.string('state', 16).notNullable();
    table.string('trigger', 16).notNullable().comment('manual | review | decommissioned | removed');
    table.text('reason').notNullable();
    table.string('entity_ref', 255).comment('The Component whose retirement triggered it');
    table.string('owner', 255).comment('Owner of the identity when requested');
    table.string('campaign_id', 64);
    table.string('requested_by', 255).notNullable();
    table.string('requested_at', 32).notNullable();
    table.string('decided_by', 255).comment('Approver or rejecter');
    table.string('decided_at', 32);
    table.text('decision_comment');
    table.string('execute_after', 32).comment('End of the grace period after approval');
    table.string('expires_at', 32).comment('Expires if not approved by then');
    table.text('places').notNullable().comment('Where scans saw the credential when requested, JSON');
    table.string('revoker_id', 64);
    table.text('outcome_message').comment('Revoker message, failure reason or manual instructions');
    table.text('outcome_details').comment('Revoker facts as JSON, never secret material');
    table.string('executed_at', 32);
    table.string('verified_at', 32);
    table.string('reappeared_at', 32);
    table.string('updated_at', 32).notNullable();
    table.index(['state', 'id'], 'revocation_requests_state_idx');
    table.index(['identity_id'], 'revocation_requests_identity_idx');
    table.index(['entity_ref', 'id'], 'revocation_requests_entity_idx');
    table.index(['owner', 'id'], 'revocation_requests_owner_idx');
  });
  // At most one open request per identity.
  await knex.schema.raw(
    `CREATE UNIQUE INDEX revocation_requests_open_uniq ON revocation_requests (identity_id)
     WHERE state IN ('requested', 'approved', 'executing', 'executed', 'manual')`,
  );

  await knex.schema.createTable('retired_components', table => {
    table.comment('Components decommissioned in the catalog or missing from it');
    table.string('entity_ref', 255).primary();
    table.string('status', 16).notNullable().comment('decommissioned | missing | removed');
    table.string('lifecycle', 64);
    table.string('owner', 255);
    table.string('first_detected_at', 32).notNullable();
    table.string('retired_at', 32).comment('When requests were created for it');
    table.string('updated_at', 32).notNullable();
    table.index(['status'], 'retired_components_status_idx');
  });

  await knex.schema.createTable('revocation_flags', table => {
    table.comment('Credentials of a retired Component that another live Component uses too');
    table.string('entity_ref', 255).notNullable();
    table.string('identity_id', 64).notNullable();
    table.text('shared_with').notNullable().comment('Live Component refs, JSON');
    table.string('owner', 255);
    table.string('flagged_at', 32).notNullable();
    table.primary(['entity_ref', 'identity_id'], 'revocation_flags_pk');
    table.index(['identity_id'], 'revocation_flags_identity_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('revocation_flags');
  await knex.schema.dropTable('retired_components');
  await knex.schema.raw('DROP INDEX revocation_requests_open_uniq');
  await knex.schema.dropTable('revocation_requests');
};
