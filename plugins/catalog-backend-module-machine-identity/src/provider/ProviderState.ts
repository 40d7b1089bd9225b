/**
 * What the provider believes the catalog holds, kept in memory: the
 * changeSeq applied per entity ref, when retained (gone or revoked) entities
 * leave, and the feed cursor. A reconcile on start rebuilds it.
 */
export class ProviderState {
  /** Entity ref → changeSeq of what this provider applied. */
  applied = new Map<string, number>();
  /** Entity ref → when a gone/revoked entity leaves the catalog (ms). */
  retained = new Map<string, number>();
  /** The feed cursor: highest sequence read. */
  lastSeq = 0;
  /** Whether a reconcile completed since start. */
  initialized = false;

  /** Drops an entity that was removed from the catalog. */
  forget(ref: string): void {
    this.applied.delete(ref);
    this.retained.delete(ref);
  }
}
