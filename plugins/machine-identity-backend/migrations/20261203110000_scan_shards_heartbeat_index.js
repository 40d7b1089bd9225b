/* global exports */
/*
 * Shard leases: a running shard heartbeats its own `scan_shards` row (its
 * `heartbeat_at`, under its `lease_token`), and the sweep fails running shards
 * whose heartbeat stopped (their process died) — a lookup by status and
 * heartbeat on a table that keeps a row per shard of every run.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('scan_shards', table => {
    table.index(['status', 'heartbeat_at'], 'scan_shards_status_heartbeat_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('scan_shards', table => {
    table.dropIndex([], 'scan_shards_status_heartbeat_idx');
  });
};
