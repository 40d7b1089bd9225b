/* global exports */
/*
 * Urgency order without work at query time: `identities.open_severity_rank`
 * (0 an open error-severity violation, 1 an open warning, 2 neither) is kept
 * by triggers on `violations` in the same statement as every violation write,
 * whichever code path writes it. With (owner|component, rank, not_after, id)
 * indexes, each urgency tier of one owner is an index range in order
 * (database/identityOrder.ts), so "most urgent first, page after page" costs
 * the same at 300,000 identities as at 2,000. A write that leaves the rank as
 * it was updates no identity row.
 */

const RANK_OF = `COALESCE((
  SELECT MIN(CASE v.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END)
  FROM violations v WHERE v.identity_id = identities.id AND v.resolved_at IS NULL), 2)`;

/** SQLite: row triggers (one UPDATE of one identity per violation row written). */
const SQLITE_TRIGGERS = [
  ['violations_rank_insert', 'AFTER INSERT ON violations', 'NEW.identity_id'],
  ['violations_rank_update', 'AFTER UPDATE OF severity, resolved_at, identity_id ON violations', 'NEW.identity_id, OLD.identity_id'],
  ['violations_rank_delete', 'AFTER DELETE ON violations', 'OLD.identity_id'],
];

/** PostgreSQL: statement triggers over the transition table (one UPDATE per statement). */
const PG_TRIGGERS = [
  ['violations_rank_insert', 'AFTER INSERT ON violations REFERENCING NEW TABLE AS changed_violations'],
  ['violations_rank_update', 'AFTER UPDATE ON violations REFERENCING NEW TABLE AS changed_violations'],
  ['violations_rank_delete', 'AFTER DELETE ON violations REFERENCING OLD TABLE AS changed_violations'],
];

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table
      .integer('open_severity_rank')
      .notNullable()
      .defaultTo(2)
      .comment('0 an open error violation, 1 an open warning, 2 neither; kept by triggers on violations');
  });
  await knex.raw(`UPDATE identities SET open_severity_rank = ${RANK_OF}`);
  await knex.schema.alterTable('identities', table => {
    table.index(['owner', 'open_severity_rank', 'not_after', 'id'], 'identities_owner_urgency_idx');
    table.index(['component', 'open_severity_rank', 'not_after', 'id'], 'identities_component_urgency_idx');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`
      CREATE FUNCTION identities_rank_from_violations() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE identities SET open_severity_rank = ${RANK_OF}
        WHERE identities.id IN (SELECT DISTINCT identity_id FROM changed_violations)
          AND open_severity_rank <> ${RANK_OF};
        RETURN NULL;
      END $$`);
    for (const [name, when] of PG_TRIGGERS) {
      await knex.raw(`CREATE TRIGGER ${name} ${when} FOR EACH STATEMENT EXECUTE FUNCTION identities_rank_from_violations()`);
    }
    return;
  }
  for (const [name, when, ids] of SQLITE_TRIGGERS) {
    await knex.raw(`CREATE TRIGGER ${name} ${when} BEGIN
      UPDATE identities SET open_severity_rank = ${RANK_OF}
      WHERE identities.id IN (${ids}) AND open_severity_rank <> ${RANK_OF};
    END`);
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  for (const [name] of SQLITE_TRIGGERS) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${name}${knex.client.config.client === 'pg' ? ' ON violations' : ''}`);
  }
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP FUNCTION IF EXISTS identities_rank_from_violations()');
  }
  await knex.schema.alterTable('identities', table => {
    table.dropIndex([], 'identities_component_urgency_idx');
    table.dropIndex([], 'identities_owner_urgency_idx');
    table.dropColumn('open_severity_rank');
  });
};
