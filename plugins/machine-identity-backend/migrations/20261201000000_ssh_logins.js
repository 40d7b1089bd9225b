/* global exports */
/*
 * SSH logins: the host and account of each SSH sighting kept together, so a
 * Component declaring both keyring.io/ssh-hosts and keyring.io/ssh-accounts
 * matches only a sighting whose host and account both match. Rows written
 * before this migration get their logins on the next scan.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('identities', table => {
    table.text('ssh_logins').comment('[host, account] pairs of SSH sightings, JSON');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('identities', table => {
    table.dropColumn('ssh_logins');
  });
};
