/* global exports */
/*
 * Scan-run fencing: each claimed run holds a lease (a random token) and
 * heartbeats while it runs. A run whose heartbeat stops is failed by the
 * sweep, and a run whose lease is gone (failed, superseded) can no longer
 * write: every write checks the token inside its transaction.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scan_runs', table => {
    table.string('lease_token', 64).comment('Fencing token of the process running the scan');
    table.string('heartbeat_at', 32).comment('Last heartbeat of a running scan');
    table.index(['status', 'heartbeat_at'], 'scan_runs_status_heartbeat_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scan_runs', table => {
    table.dropIndex([], 'scan_runs_status_heartbeat_idx');
    table.dropColumn('heartbeat_at');
    table.dropColumn('lease_token');
  });
};
