/* global exports */
/*
 * PostgreSQL only: `identity_search`, a narrow copy of what a `q` search
 * without other filters reads of each identity — id, search_text,
 * fingerprint, not_after and open_severity_rank (its urgency tier) — with its
 * own pg_trgm GIN and fingerprint-prefix indexes, kept by triggers on
 * `identities` in the statement that writes them, whichever code path that
 * is. A search matching 2 % of 300,000 identities rechecks and ranks 6,000
 * rows: on `identities` (~1.3 kB a row at fillfactor 50, 384 MB, larger than
 * the default 128 MB of shared buffers) that is 6,000 heap pages, read from
 * the OS under load; here ~70 MB, ~2,300 pages. Row triggers with a column
 * list and a WHEN clause on update, so the end of a re-scan (which sets
 * last_seen on every identity) and an upsert that changes none of the
 * columns cost nothing; statement triggers over the transition table on
 * insert and delete. SQLite keeps searching `identities` (its own narrow
 * (search_text, fingerprint_sha256) index serves the count).
 */

const COLUMNS = ['search_text', 'fingerprint_sha256', 'not_after', 'open_severity_rank'];

/** The store's test (InventoryDatabase's isPostgresClient): the search reads this table wherever it holds. */
const isPostgres = knex => ['pg', 'postgres', 'postgresql'].includes(String(knex.client.config.client ?? ''));

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (!isPostgres(knex)) return;
  await knex.raw(`
    CREATE TABLE identity_search (
      id text PRIMARY KEY,
      search_text text,
      fingerprint_sha256 text NOT NULL,
      not_after text,
      open_severity_rank integer NOT NULL
    )`);
  await knex.raw("COMMENT ON TABLE identity_search IS 'What a q search reads of each identity; kept by triggers on identities'");
  await knex.raw(`INSERT INTO identity_search (id, ${COLUMNS.join(', ')}) SELECT id, ${COLUMNS.join(', ')} FROM identities`);
  const trigram = await knex.raw("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
  if (trigram.rows.length > 0) {
    await knex.raw('CREATE INDEX identity_search_text_trgm_idx ON identity_search USING gin (search_text gin_trgm_ops)');
  }
  await knex.raw('CREATE INDEX identity_search_fingerprint_idx ON identity_search (fingerprint_sha256 text_pattern_ops)');
  await knex.raw(`
    CREATE FUNCTION identity_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO identity_search (id, ${COLUMNS.join(', ')})
      SELECT id, ${COLUMNS.join(', ')} FROM new_identities
      ON CONFLICT (id) DO UPDATE SET ${COLUMNS.map(c => `${c} = EXCLUDED.${c}`).join(', ')};
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION identity_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE identity_search SET ${COLUMNS.map(c => `${c} = NEW.${c}`).join(', ')} WHERE id = NEW.id;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION identity_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM identity_search WHERE id IN (SELECT id FROM old_identities);
      RETURN NULL;
    END $$`);
  await knex.raw(
    'CREATE TRIGGER identity_search_insert AFTER INSERT ON identities REFERENCING NEW TABLE AS new_identities FOR EACH STATEMENT EXECUTE FUNCTION identity_search_inserted()',
  );
  await knex.raw(`
    CREATE TRIGGER identity_search_update AFTER UPDATE OF ${COLUMNS.join(', ')} ON identities FOR EACH ROW
    WHEN (${COLUMNS.map(c => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ')})
    EXECUTE FUNCTION identity_search_updated()`);
  await knex.raw(
    'CREATE TRIGGER identity_search_delete AFTER DELETE ON identities REFERENCING OLD TABLE AS old_identities FOR EACH STATEMENT EXECUTE FUNCTION identity_search_deleted()',
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (!isPostgres(knex)) return;
  for (const name of ['insert', 'update', 'delete']) {
    await knex.raw(`DROP TRIGGER IF EXISTS identity_search_${name} ON identities`);
  }
  for (const name of ['inserted', 'updated', 'deleted']) {
    await knex.raw(`DROP FUNCTION IF EXISTS identity_search_${name}()`);
  }
  await knex.raw('DROP TABLE IF EXISTS identity_search');
};
