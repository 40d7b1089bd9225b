import knexFactory, { type Knex } from 'knex';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Makes PostgreSQL drop the backend's connections while one of its
 * transactions is in flight: takes a row lock with `lock` on a connection of
 * its own, lets `act` start the work that needs that row, waits until a
 * statement of the backend waits on the lock, then terminates every other
 * connection to the database (`pg_terminate_backend`, as an operator or a
 * failover does; the shared server is not restarted) and releases the lock.
 * Resolves with what `act` returned once it settled, and how many
 * connections were terminated.
 */
export async function terminateDuringTransaction<T>(
  knex: Knex,
  lock: (tx: Knex.Transaction) => Promise<unknown>,
  act: () => Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; terminated: number }> {
  // A connection of its own, outside the backend's pool.
  const database = String((await knex.raw('SELECT current_database() AS name')).rows[0].name);
  const connection = knex.client.config.connection;
  const own = knexFactory({
    client: 'pg',
    connection: typeof connection === 'string' ? { connectionString: connection, database } : { ...connection, database },
    pool: { min: 1, max: 1 },
  });
  const tx = await own.transaction();
  const ownPid = Number((await tx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  let terminated = 0;
  try {
    await lock(tx);
    const pending = act().then(
      value => ({ status: 'fulfilled', value }) as const,
      reason => ({ status: 'rejected', reason }) as const,
    );
    let waiting = 0;
    for (let i = 0; i < 400 && waiting === 0; i++) {
      await sleep(25);
      const rows = (
        await tx.raw(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ? AND pid <> ? AND wait_event_type = 'Lock'",
          [database, ownPid],
        )
      ).rows;
      waiting = Number(rows[0].n);
    }
    if (waiting === 0) {
      const activity = await tx.raw('SELECT pid, state, wait_event_type, left(query, 120) AS query FROM pg_stat_activity WHERE datname = ?', [database]);
      const runs = await tx.raw("SELECT id, status, seen, lease_token, heartbeat_at, started_at, finished_at FROM scan_runs");
      throw new Error(`no statement of the backend waited on the lock: ${JSON.stringify(activity.rows)} ${JSON.stringify(runs.rows)} at ${new Date().toISOString()}`);
    }
    const killed = await tx.raw(
      'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = ? AND pid <> ?',
      [database, ownPid],
    );
    terminated = Number(killed.rows[0].n);
    await tx.commit();
    return { outcome: await pending, terminated };
  } finally {
    if (!tx.isCompleted()) await tx.rollback();
    await own.destroy();
  }
}
