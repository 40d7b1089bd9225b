/**
 * CPU time of PostgreSQL's backend processes serving given databases, read
 * from /proc (the server runs on this machine). Connections come and go with
 * the pools, so {@link PostgresCpu.sample} is called often; a connection's
 * CPU counts from the first sample that saw it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return undefined;
  }
}

export class PostgresCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(
    private readonly admin: Knex,
    private readonly databases: string[],
  ) {}

  async sample(): Promise<void> {
    const rows = await this.admin('pg_stat_activity').select('pid').whereIn('datname', this.databases);
    for (const { pid } of rows as Array<{ pid: number }>) {
      const ticks = cpuTicks(pid);
      if (ticks === undefined) continue;
      if (!this.first.has(pid)) this.first.set(pid, ticks);
      this.last.set(pid, ticks);
    }
  }

  /** Milliseconds of CPU seen since the first samples. */
  ms(): number {
    let ticks = 0;
    for (const [pid, last] of this.last) ticks += last - (this.first.get(pid) ?? last);
    return (ticks * 1000) / TICKS_PER_SECOND;
  }
}
