/* global exports */
/*
 * Indexed `q` search of GET /identities. The search is a case-insensitive
 * substring match on the display name and the subject, or a prefix of the
 * fingerprint. On PostgreSQL a pg_trgm GIN index serves the substring match
 * (`lower(x) LIKE '%needle%'`) and a text_pattern_ops B-tree the fingerprint
 * prefix, so the planner answers the whole OR with a bitmap of index scans
 * instead of reading every row. Creating the extension needs a privilege the
 * database user may lack: then (or where pg_trgm is not installed) only the
 * fingerprint index is created and the search still works, by scanning.
 * SQLite has no trigram index: a narrow index of the searched columns lets
 * it count the matches (the page's total) from the index instead of the wide
 * rows; a page itself walks the requested order and stops when it is full.
 */

/**
 * Whether pg_trgm is usable: already there, or created now (in a savepoint,
 * so a refusal does not abort the migration's transaction).
 *
 * @param {import('knex').Knex} knex
 */
async function ensureTrigramExtension(knex) {
  const available = await knex.raw("SELECT installed_version FROM pg_available_extensions WHERE name = 'pg_trgm'");
  if (available.rows.length === 0) return false;
  if (available.rows[0].installed_version) return true;
  try {
    await knex.transaction(async savepoint => {
      await savepoint.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('CREATE INDEX identities_fingerprint_pattern_idx ON identities (fingerprint_sha256 text_pattern_ops)');
    if (await ensureTrigramExtension(knex)) {
      await knex.raw(
        'CREATE INDEX identities_search_trgm_idx ON identities USING gin (lower(display_name) gin_trgm_ops, lower(subject) gin_trgm_ops)',
      );
    }
    return;
  }
  await knex.raw('CREATE INDEX identities_search_idx ON identities (display_name, subject, fingerprint_sha256)');
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP INDEX IF EXISTS identities_search_trgm_idx');
    await knex.raw('DROP INDEX IF EXISTS identities_fingerprint_pattern_idx');
    return;
  }
  await knex.raw('DROP INDEX IF EXISTS identities_search_idx');
};
