/**
 * What the servers' process did, second by second, during a load window
 * (bench/load.ts): garbage-collection pauses, the longest event-loop lag,
 * the knex pool's busy and waiting acquires, and how many identities the scan
 * sighted — so the seconds that hold a paced window's slow answers can be
 * laid beside what the process was doing then. Seconds are wall-clock epoch
 * seconds, as the load client reports its slow answers.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { Knex } from 'knex';

/** One second of the servers' process. */
export interface ServerSecond {
  gcMs: number;
  gcMaxMs: number;
  loopLagMaxMs: number;
  poolUsedMax: number;
  poolPendingMax: number;
  sighted: number;
  /** The slowest statement that ended in this second: its first words and how long it took. */
  slowestStatement?: { sql: string; ms: number };
}

const TICK_MS = 10;

/** Starts sampling; `stop()` returns the seconds seen. `sighted()` reads the scan's running count. */
export function startServerTimeline(knex: Knex, sighted: () => number): { stop: () => Map<number, ServerSecond> } {
  const seconds = new Map<number, ServerSecond>();
  // performance.timeOrigin can be minutes off the wall clock (the load client reads Date.now() the same way).
  const wallClockAtZero = Date.now() - performance.now();
  const at = (epochMs: number) => {
    const key = Math.floor(epochMs / 1000);
    let second = seconds.get(key);
    if (!second) {
      second = { gcMs: 0, gcMaxMs: 0, loopLagMaxMs: 0, poolUsedMax: 0, poolPendingMax: 0, sighted: 0 };
      seconds.set(key, second);
    }
    return second;
  };
  const gc = new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const second = at(wallClockAtZero + entry.startTime);
      second.gcMs += entry.duration;
      second.gcMaxMs = Math.max(second.gcMaxMs, entry.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const started = new Map<string, { sql: string; at: number }>();
  const onQuery = (q: { __knexQueryUid: string; sql: string }) => started.set(q.__knexQueryUid, { sql: q.sql, at: performance.now() });
  const onResponse = (_response: unknown, q: { __knexQueryUid: string }) => {
    const query = started.get(q.__knexQueryUid);
    if (!query) return;
    started.delete(q.__knexQueryUid);
    const now = performance.now();
    const second = at(wallClockAtZero + now);
    const ms = now - query.at;
    if (!second.slowestStatement || second.slowestStatement.ms < ms) second.slowestStatement = { sql: query.sql.replace(/\s+/g, ' ').slice(0, 70), ms };
  };
  knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onResponse);
  const pool = (knex.client as any).pool;
  let last = performance.now();
  let lastSighted = sighted();
  const tick = setInterval(() => {
    const now = performance.now();
    const second = at(wallClockAtZero + now);
    second.loopLagMaxMs = Math.max(second.loopLagMaxMs, now - last - TICK_MS);
    if (pool) {
      second.poolUsedMax = Math.max(second.poolUsedMax, pool.numUsed());
      second.poolPendingMax = Math.max(second.poolPendingMax, pool.numPendingAcquires());
    }
    const count = sighted();
    second.sighted += count - lastSighted;
    lastSighted = count;
    last = now;
  }, TICK_MS);
  return {
    stop: () => {
      clearInterval(tick);
      gc.disconnect();
      knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onResponse);
      return seconds;
    },
  };
}

/**
 * Lines for the `top` seconds with the most slow answers, each beside what the
 * process did then, and the same figures averaged over the other seconds.
 */
export function describeStalls(slowBySecond: Array<[number, number]>, timeline: Map<number, ServerSecond>, top = 6): string[] {
  const ranked = [...slowBySecond].sort((a, b) => b[1] - a[1]).slice(0, top);
  const row = (s: ServerSecond | undefined) =>
    s
      ? `gc ${s.gcMs.toFixed(0)} ms (longest ${s.gcMaxMs.toFixed(0)}), loop lag max ${s.loopLagMaxMs.toFixed(0)} ms, pool used ≤${s.poolUsedMax} waiting ≤${s.poolPendingMax}, scan sighted ${s.sighted}${s.slowestStatement ? `; slowest statement ${s.slowestStatement.ms.toFixed(0)} ms: ${s.slowestStatement.sql}` : ''}`
      : 'no sample';
  const stalled = new Set(ranked.map(([second]) => second));
  const calm = [...timeline.entries()].filter(([second]) => !stalled.has(second)).map(([, s]) => s);
  const mean = (f: (s: ServerSecond) => number) => calm.reduce((sum, s) => sum + f(s), 0) / Math.max(1, calm.length);
  const lines = ranked.map(([second, count]) => `      ${new Date(second * 1000).toISOString().slice(11, 19)} ${String(count).padStart(4)} slow: ${row(timeline.get(second))}`);
  lines.push(
    `      other seconds (mean of ${calm.length}): gc ${mean(s => s.gcMs).toFixed(0)} ms (longest ${mean(s => s.gcMaxMs).toFixed(0)}), loop lag max ${mean(s => s.loopLagMaxMs).toFixed(0)} ms, pool used ≤${mean(s => s.poolUsedMax).toFixed(1)} waiting ≤${mean(s => s.poolPendingMax).toFixed(1)}, scan sighted ${mean(s => s.sighted).toFixed(0)}`,
  );
  return lines;
}
