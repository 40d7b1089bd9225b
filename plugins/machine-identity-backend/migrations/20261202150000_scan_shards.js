/* global exports */
/*
 * Sharded runs (`machineIdentity.sources[].shards`): a run of a sharded source
 * is one `scan_runs` row (what /scans and /sources show, the counters summed
 * over its shards) and one `scan_shards` row per shard, claimed by whichever
 * replica's scheduler runs that shard's task. A shard keeps its own status,
 * counters, problems and the scopes it covered; the shard that finishes last
 * concludes the run from all of them (retirement only when every shard
 * succeeded, over the union of their coverage).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('scan_shards', table => {
    table.comment('Shards of a run of a sharded source');
    table.string('run_id', 64).notNullable().references('id').inTable('scan_runs').onDelete('CASCADE');
    table.integer('shard_index').notNullable();
    table.integer('shard_count').notNullable();
    table.string('status', 16).notNullable().comment('queued | running | succeeded | partial | failed');
    table.string('lease_token', 64);
    table.string('started_at', 32);
    table.string('heartbeat_at', 32);
    table.string('finished_at', 32);
    table.integer('seen').notNullable().defaultTo(0);
    table.integer('added').notNullable().defaultTo(0);
    table.integer('progress_done');
    table.integer('progress_total');
    table.integer('error_count').notNullable().defaultTo(0);
    table.text('errors').notNullable().defaultTo('[]');
    table.text('covered').comment('JSON scopes the shard reported covered');
    table.primary(['run_id', 'shard_index']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('scan_shards');
};
