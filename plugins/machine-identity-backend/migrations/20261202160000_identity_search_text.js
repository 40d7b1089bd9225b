/* global exports */
/*
 * One search column for the `q` search of GET /identities: `search_text` is
 * the lower-cased display name and subject joined by a newline (written by
 * the store with every identity row; a search needle has its control
 * characters removed, so it cannot match across the join). On PostgreSQL one
 * pg_trgm GIN index on it replaces the two-column one of
 * 20261202110000_identity_search_index: a search was two bitmap index scans
 * whose common trigrams (every name has `svc`, `.te`, …) each read long
 * posting lists — a one-match search at 300,000 identities took 11.5 ms, on
 * the one column 5.2 ms. SQLite's narrow index (counting a search's matches
 * without the wide rows) moves to the new column too. Existing rows are
 * filled here with the database's lower(), the store's later writes with
 * JavaScript's toLowerCase() (they differ outside ASCII on SQLite).
 */

const SQLITE_NEWLINE = 'char(10)';
const PG_NEWLINE = "E'\\n'";

/**
 * @param {import('knex').Knex} knex
 */
async function hasTrigram(knex) {
  const installed = await knex.raw("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
  return installed.rows.length > 0;
}

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const pg = knex.client.config.client === 'pg';
  await knex.schema.alterTable('identities', table => {
    table.text('search_text');
  });
  await knex.raw(`UPDATE identities SET search_text = lower(display_name) || ${pg ? PG_NEWLINE : SQLITE_NEWLINE} || lower(coalesce(subject, ''))`);
  if (pg) {
    if (await hasTrigram(knex)) {
      await knex.raw('CREATE INDEX identities_search_text_trgm_idx ON identities USING gin (search_text gin_trgm_ops)');
    }
    await knex.raw('DROP INDEX IF EXISTS identities_search_trgm_idx');
    return;
  }
  await knex.raw('CREATE INDEX identities_search_text_idx ON identities (search_text, fingerprint_sha256)');
  await knex.raw('DROP INDEX IF EXISTS identities_search_idx');
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    if (await hasTrigram(knex)) {
      await knex.raw(
        'CREATE INDEX identities_search_trgm_idx ON identities USING gin (lower(display_name) gin_trgm_ops, lower(subject) gin_trgm_ops)',
      );
    }
    await knex.raw('DROP INDEX IF EXISTS identities_search_text_trgm_idx');
  } else {
    await knex.raw('CREATE INDEX identities_search_idx ON identities (display_name, subject, fingerprint_sha256)');
    await knex.raw('DROP INDEX IF EXISTS identities_search_text_idx');
  }
  await knex.schema.alterTable('identities', table => {
    table.dropColumn('search_text');
  });
};
