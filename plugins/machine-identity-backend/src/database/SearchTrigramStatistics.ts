import type { Knex } from 'knex';
import { isPostgresClient } from './InventoryDatabase';
import { chooseSearchFragment } from './searchFragment';

/** Rows sampled for the trigram shares. */
const SAMPLE_ROWS = 3_000;
/** How long a sample stands before the next search takes a new one (in the background). */
const SAMPLE_TTL_MS = 10 * 60_000;

interface Sample {
  rows: number;
  counts: Map<string, number>;
  at: number;
}

/**
 * The share of identities holding each trigram of `search_text`, from a
 * sample of `identity_search` (PostgreSQL with pg_trgm), so a search asks
 * the trigram index for its cheapest fragment (`chooseSearchFragment`).
 * The first search, and any search while no sample has been taken, looks up
 * the whole needle as before; a stale sample is replaced in the background.
 * On SQLite, which has no trigram index, there is no fragment.
 *
 * @internal
 */
export class SearchTrigramStatistics {
  private sample?: Sample;
  private loading?: Promise<void>;

  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The fragment a search for `needle` looks up in the index, or undefined for the whole needle. */
  fragmentFor(needle: string): string | undefined {
    if (!isPostgresClient(this.db)) return undefined;
    const sample = this.sample;
    if (!sample || this.clock() - sample.at > SAMPLE_TTL_MS) void this.refresh().catch(() => undefined);
    if (!sample || sample.rows === 0) return undefined;
    // A trigram the sample did not hold is given half of one sampled row's share.
    const fragment = chooseSearchFragment(needle, t => (sample.counts.get(t) ?? 0.5) / sample.rows);
    return fragment === needle ? undefined : fragment;
  }

  /** Takes a new sample (one at a time); resolves when it is in place. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const at = this.clock();
    if (!isPostgresClient(this.db)) {
      this.sample = { rows: 0, counts: new Map(), at };
      return;
    }
    const ready = await this.db.raw(
      "SELECT to_regclass('identity_search') IS NOT NULL AS has_table, EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS has_trgm",
    );
    const { has_table: hasTable, has_trgm: hasTrgm } = ready.rows[0];
    if (!hasTable || !hasTrgm) {
      this.sample = { rows: 0, counts: new Map(), at };
      return;
    }
    // The table's size from its pages when it was never analyzed (reltuples -1): ~30 rows a page.
    const size = await this.db.raw(
      "SELECT GREATEST(reltuples, pg_relation_size(oid) / 8192 * 30, 1) AS rows FROM pg_class WHERE oid = 'identity_search'::regclass",
    );
    const percent = Math.min(100, (100 * SAMPLE_ROWS) / Number(size.rows[0].rows));
    const result = await this.db.raw(
      `WITH s AS MATERIALIZED (SELECT search_text FROM identity_search TABLESAMPLE BERNOULLI (?) WHERE search_text IS NOT NULL)
       SELECT (SELECT count(*) FROM s) AS sampled, t.trigram, count(*) AS n
       FROM s CROSS JOIN LATERAL unnest(show_trgm(s.search_text)) AS t(trigram)
       GROUP BY t.trigram`,
      [percent],
    );
    const rows = result.rows as { sampled: string | number; trigram: string; n: string | number }[];
    this.sample = {
      rows: rows.length ? Number(rows[0].sampled) : 0,
      counts: new Map(rows.map(r => [r.trigram, Number(r.n)])),
      at,
    };
  }
}
