import { createHash } from 'node:crypto';
import type { ResourceType } from './resources';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, any> & { metadata?: Record<string, any> };

/**
 * Objects made on demand, in key order: a fleet of tens of thousands of
 * objects costs no memory until a page of it is served. `keyAt` must increase
 * with the index (the apiserver lists in etcd key order).
 */
export interface VirtualCollection {
  count: number;
  keyAt(index: number): string;
  objectAt(index: number): KubeObject;
}

/** The etcd-style key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** A deterministic UID (RFC 4122 layout) for a resource and key. */
export function uidFor(plural: string, key: string): string {
  const h = createHash('sha256').update(`${plural}/${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function lowerBound(n: number, keyAt: (i: number) => string, start: string): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Collection {
  readonly objects = new Map<string, KubeObject>();
  private sorted: string[] | undefined;
  readonly virtual: VirtualCollection[] = [];
  /** Keys of virtual objects deleted (a revoker's DELETE of a fleet Secret). */
  readonly deletedVirtual = new Set<string>();

  keys(): string[] {
    this.sorted ??= [...this.objects.keys()].sort();
    return this.sorted;
  }

  changed() {
    this.sorted = undefined;
  }
}

/**
 * The emulator's objects per resource, listed in key order from a start key
 * (how the apiserver pages through etcd). Holds the global resourceVersion
 * counter and the compaction point that makes old continue tokens expire.
 */
export class ObjectStore {
  private readonly collections = new Map<string, Collection>();
  private revision = 1000;
  /** Revisions below this are compacted: continue tokens made at them have expired. */
  compactedRevision = 0;

  private collection(type: ResourceType): Collection {
    let c = this.collections.get(type.plural);
    if (!c) {
      c = new Collection();
      this.collections.set(type.plural, c);
    }
    return c;
  }

  /** The current resourceVersion of the store. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** Next resourceVersion, for a write. */
  nextRevision(): number {
    this.revision += 1;
    return this.revision;
  }

  /** Adds or replaces an object; server-set metadata is filled in. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    const metadata = { ...(object.metadata ?? {}) };
    const key = objectKey(type.namespaced ? metadata.namespace : undefined, String(metadata.name));
    const rv = this.nextRevision();
    metadata.uid ??= uidFor(type.plural, key);
    metadata.resourceVersion = String(rv);
    metadata.creationTimestamp ??= new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const stored = { ...object, metadata };
    const c = this.collection(type);
    if (!c.objects.has(key)) c.changed();
    c.objects.set(key, stored);
    return stored;
  }

  /** Adds a collection of objects made on demand. */
  addVirtual(type: ResourceType, collection: VirtualCollection) {
    this.collection(type).virtual.push(collection);
    this.nextRevision();
  }

  /** One object by key. */
  get(type: ResourceType, key: string): KubeObject | undefined {
    const c = this.collection(type);
    const stored = c.objects.get(key);
    if (stored) return stored;
    if (c.deletedVirtual.has(key)) return undefined;
    for (const v of c.virtual) {
      const i = lowerBound(v.count, j => v.keyAt(j), key);
      if (i < v.count && v.keyAt(i) === key) return v.objectAt(i);
    }
    return undefined;
  }

  /** Deletes one object; returns it, or undefined when absent. */
  delete(type: ResourceType, key: string): KubeObject | undefined {
    const c = this.collection(type);
    const existing = this.get(type, key);
    if (!existing) return undefined;
    if (c.objects.delete(key)) c.changed();
    else c.deletedVirtual.add(key);
    this.nextRevision();
    return existing;
  }

  /**
   * Up to `limit` objects with key >= `start` whose key starts with `prefix`
   * (a namespace's `ns/`), in key order, and whether more follow.
   */
  list(type: ResourceType, options: { start: string; prefix: string; limit: number }): { items: Array<{ key: string; object: KubeObject }>; more: boolean; remaining: number } {
    const c = this.collection(type);
    const start = options.start > options.prefix ? options.start : options.prefix;
    const inRange = (key: string) => key.startsWith(options.prefix);
    const keys = c.keys();
    const cursors = [
      { i: lowerBound(keys.length, j => keys[j], start), n: keys.length, keyAt: (j: number) => keys[j], objectAt: (j: number) => c.objects.get(keys[j])! },
      ...c.virtual.map(v => ({ i: lowerBound(v.count, j => v.keyAt(j), start), n: v.count, keyAt: (j: number) => v.keyAt(j), objectAt: (j: number) => v.objectAt(j) })),
    ];
    const items: Array<{ key: string; object: KubeObject }> = [];
    const next = () => {
      let best: (typeof cursors)[number] | undefined;
      for (const cur of cursors) {
        if (cur.i < cur.n && (!best || cur.keyAt(cur.i) < best.keyAt(best.i))) best = cur;
      }
      return best && inRange(best.keyAt(best.i)) ? best : undefined;
    };
    for (let cur = next(); cur; cur = next()) {
      const key = cur.keyAt(cur.i);
      if (items.length >= options.limit) {
        return { items, more: true, remaining: this.remaining(cursors, options.prefix) };
      }
      if (!c.deletedVirtual.has(key) || c.objects.has(key)) items.push({ key, object: cur.objectAt(cur.i) });
      cur.i += 1;
    }
    return { items, more: false, remaining: 0 };
  }

  /** Objects left after the cursors (an estimate for `remainingItemCount`, as the apiserver's is). */
  private remaining(cursors: Array<{ i: number; n: number; keyAt(j: number): string }>, prefix: string): number {
    let total = 0;
    for (const cur of cursors) {
      const end = prefix ? lowerBound(cur.n, j => cur.keyAt(j), `${prefix}\uffff`) : cur.n;
      total += Math.max(0, end - cur.i);
    }
    return total;
  }
}
