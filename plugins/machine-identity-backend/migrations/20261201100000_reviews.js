/* global exports */
/*
 * Ownership reviews: campaigns, their items (one per identity), reassignments
 * awaiting the receiving Group, waiver requests awaiting a second person; and
 * the audit trail's full event shape. audit_events becomes append-only in the
 * database itself: a trigger refuses UPDATE and DELETE (and TRUNCATE on
 * PostgreSQL), so neither an API nor a hand-written SQL statement can rewrite
 * history.
 */

const APPEND_ONLY_MESSAGE = 'audit_events is append-only';

/**
 * @param {import('knex').Knex} knex
 */
function isPostgres(knex) {
  const name = String(knex.client.config.client ?? '');
  return ['pg', 'postgres', 'postgresql'].includes(name);
}

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('audit_events', table => {
    table.string('campaign_id', 64).comment('Review campaign the event belongs to');
    table.text('before').comment('State before the event, JSON');
    table.text('after').comment('State after the event, JSON');
    table.text('comment').comment('Why, in the actor\'s words');
    table.index(['actor', 'id'], 'audit_events_actor_idx');
    table.index(['campaign_id', 'id'], 'audit_events_campaign_idx');
  });

  await knex.schema.createTable('review_campaigns', table => {
    table.comment('One ownership review campaign of one owning Group');
    table.string('id', 64).primary();
    table.string('owner', 255).notNullable();
    table.string('state', 16).notNullable().comment('open | completed | overdue | closed');
    table.string('opened_at', 32).notNullable();
    table.string('opened_by', 255).notNullable().comment('User ref, or "schedule"');
    table.string('due_at', 32).notNullable();
    table.string('completed_at', 32);
    table.string('closed_at', 32);
    table.string('escalated_at', 32).comment('Set once, by the replica that sent the escalation');
    table.integer('total').notNullable();
    table.integer('decided').notNullable().defaultTo(0);
    table.integer('confirmed').notNullable().defaultTo(0);
    table.integer('reassigned').notNullable().defaultTo(0);
    table.integer('revoked').notNullable().defaultTo(0);
    table.index(['owner', 'opened_at'], 'review_campaigns_owner_idx');
    table.index(['state', 'due_at'], 'review_campaigns_state_due_idx');
  });

  await knex.schema.createTable('review_items', table => {
    table.comment('One identity to attest in one campaign');
    table.string('campaign_id', 64).notNullable();
    table.string('identity_id', 64).notNullable();
    table.string('decision', 16).comment('confirm | reassign | revoke; null until decided');
    table.text('comment');
    table.string('to_owner', 255);
    table.string('decided_by', 255);
    table.string('decided_at', 32);
    table.string('reassignment_id', 64);
    table.string('revocation_id', 64);
    table.primary(['campaign_id', 'identity_id'], 'review_items_pk');
    table.index(['identity_id'], 'review_items_identity_idx');
    table.index(['campaign_id', 'decision'], 'review_items_campaign_decision_idx');
  });

  await knex.schema.createTable('reassignments', table => {
    table.comment('An identity handed to another Group, pending its acceptance');
    table.string('id', 64).primary();
    table.string('identity_id', 64).notNullable();
    table.string('campaign_id', 64);
    table.string('from_owner', 255);
    table.string('to_owner', 255).notNullable();
    table.string('state', 16).notNullable().comment('pending | accepted | rejected');
    table.string('requested_by', 255).notNullable();
    table.string('requested_at', 32).notNullable();
    table.text('comment').notNullable();
    table.string('decided_by', 255);
    table.string('decided_at', 32);
    table.text('decision_comment');
    table.index(['to_owner', 'state'], 'reassignments_to_owner_state_idx');
    table.index(['identity_id'], 'reassignments_identity_idx');
  });

  await knex.schema.createTable('waiver_requests', table => {
    table.comment('A waiver asked for by the owning team, granted only by a second person');
    table.string('id', 64).primary();
    table.string('identity_id', 64).notNullable();
    table.string('rule_id', 128).notNullable();
    table.text('reason').notNullable();
    table.string('expires_at', 32).notNullable();
    table.string('owner', 255);
    table.string('state', 16).notNullable().comment('requested | approved | rejected');
    table.string('requested_by', 255).notNullable();
    table.string('requested_at', 32).notNullable();
    table.string('decided_by', 255);
    table.string('decided_at', 32);
    table.text('decision_comment');
    table.string('waiver_id', 64);
    table.index(['state', 'requested_at'], 'waiver_requests_state_idx');
    table.index(['identity_id'], 'waiver_requests_identity_idx');
  });

  if (isPostgres(knex)) {
    await knex.raw(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION '${APPEND_ONLY_MESSAGE}: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE TRIGGER audit_events_append_only
      BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await knex.raw(`
      CREATE TRIGGER audit_events_no_truncate
      BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
  } else {
    await knex.raw(`
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}: UPDATE refused'); END`);
    await knex.raw(`
      CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}: DELETE refused'); END`);
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (isPostgres(knex)) {
    await knex.raw('DROP TRIGGER audit_events_no_truncate ON audit_events');
    await knex.raw('DROP TRIGGER audit_events_append_only ON audit_events');
    await knex.raw('DROP FUNCTION audit_events_refuse_change()');
  } else {
    await knex.raw('DROP TRIGGER audit_events_no_delete');
    await knex.raw('DROP TRIGGER audit_events_no_update');
  }
  await knex.schema.dropTable('waiver_requests');
  await knex.schema.dropTable('reassignments');
  await knex.schema.dropTable('review_items');
  await knex.schema.dropTable('review_campaigns');
  await knex.schema.alterTable('audit_events', table => {
    table.dropIndex([], 'audit_events_campaign_idx');
    table.dropIndex([], 'audit_events_actor_idx');
    table.dropColumn('comment');
    table.dropColumn('after');
    table.dropColumn('before');
    table.dropColumn('campaign_id');
  });
};
