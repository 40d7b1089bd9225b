/* global exports */
/*
 * Cheap unchanged re-scans. `observations.content_hash` is a hash of the
 * discovery an observation was last written from: a batch compares it in one
 * read and skips identities whose every sighting is unchanged. Those
 * sightings are logged per batch in `scan_sightings` (one row of JSON pairs
 * per batch, not one write per observation) and applied set-based when the
 * run ends, for every shard of the run, before the retirement rule reads
 * which observations the run refreshed.
 *
 * On PostgreSQL identities and observations get fillfactor 50 (was 80): the
 * run's end moves last_seen of every row it saw in one transaction, and a
 * HOT update (no write to any of the identity's dozen indexes) needs room for
 * the new row version on the same page; 80 left room for about a quarter of
 * them. Pages written before the migration keep their layout until rewritten.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table.string('content_hash', 64).comment('Hash of the discovery the row was last written from');
  });
  await knex.schema.createTable('scan_sightings', table => {
    table.comment('Unchanged sightings of a running scan, applied to observations when the run ends');
    table.increments('id');
    table.string('scan_id', 64).notNullable();
    table.string('seen_at', 32).notNullable();
    table.text('pairs').notNullable().comment('JSON [[identityId, location], ...]');
    table.index(['scan_id'], 'scan_sightings_scan_idx');
  });
  if (knex.client.config.client === 'pg') {
    // A batch's pairs are written once and read once: compressing them cost more than storing them.
    await knex.raw('ALTER TABLE scan_sightings ALTER COLUMN pairs SET STORAGE EXTERNAL');
    await knex.raw('ALTER TABLE identities SET (fillfactor = 50)');
    await knex.raw('ALTER TABLE observations SET (fillfactor = 50)');
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('ALTER TABLE identities SET (fillfactor = 80)');
    await knex.raw('ALTER TABLE observations SET (fillfactor = 80)');
  }
  await knex.schema.dropTable('scan_sightings');
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('content_hash');
  });
};
