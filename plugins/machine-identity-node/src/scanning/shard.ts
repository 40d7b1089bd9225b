import { createHash } from 'node:crypto';

/**
 * One shard of a sharded source's run (`machineIdentity.sources[].shards`):
 * shard `index` (0-based) of `count`. The shards of one run together scan the
 * whole source; each scans the keys {@link inShard} assigns to it.
 */
export interface ScanShard {
  index: number;
  count: number;
}

/**
 * Whether `key` (an endpoint's `host:port`, a host, a file path, a namespace)
 * belongs to `shard`: a stable hash of the key modulo the shard count, so every
 * key belongs to exactly one shard of a run and to the same shard on every
 * replica and every run. Without a shard (or with one shard) every key belongs.
 */
export function inShard(key: string, shard: ScanShard | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  return shardOf(key, shard.count) === shard.index;
}

/** The shard (0-based) of `count` that `key` belongs to. */
export function shardOf(key: string, count: number): number {
  const digest = createHash('sha256').update(key).digest();
  return digest.readUInt32BE(0) % count;
}
