/* global exports */
/*
 * Where a source's live identities were last seen, for scanners
 * (`ScannerContext.lastSeenScopes`): the distinct places one level below a
 * prefix (`cluster/namespace/`), read as a loose index scan — one range read
 * per place, never a row per observation. No index served it: the unique
 * index leads with identity_id, observations_source_idx holds no location.
 *
 * Partial (live observations only) and in byte order: on PostgreSQL the
 * location column is keyed with the "C" collation, so that every location
 * under a prefix sorts between the prefix and the prefix with its last
 * character moved one up (a linguistic collation ignores `/` at its first
 * level); SQLite's default BINARY collation is byte order already. Only
 * inserts, retirement and revival write it: a re-scan moves last_seen,
 * last_scan_id and content_hash, none of them in the index (PostgreSQL's HOT
 * updates stay possible).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const location = knex.client.config.client === 'pg' ? 'location COLLATE "C"' : 'location';
  await knex.raw(
    `CREATE INDEX observations_source_live_location_idx ON observations (source_id, ${location}) WHERE gone_at IS NULL`,
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX observations_source_live_location_idx');
};
