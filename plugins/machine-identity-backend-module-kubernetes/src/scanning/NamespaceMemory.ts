/**
 * The namespaces that complete namespace lists of each source have shown in
 * this process. A namespace an earlier complete list held and a later complete
 * list no longer holds was deleted: positive evidence that everything seen in
 * it is gone (see `ScannerContext.reportCovered`). The engine hands a scanner
 * no previously seen locations, so this is kept in memory: a namespace deleted
 * while the backend was not running is not remembered (an unsharded source
 * still retires it through its whole-cluster coverage).
 *
 * Vanished namespaces stay remembered, so they are reported again by later
 * runs (the run that first missed one may end partial, retiring nothing) and
 * by every shard of the same run; at most `maxVanished` per source, oldest
 * dropped first. Memory: the names of the cluster's namespaces plus those.
 */
export class NamespaceMemory {
  private readonly bySource = new Map<string, Set<string>>();

  constructor(private readonly maxVanished = 10_000) {}

  /**
   * Records the namespaces of a complete list of `source` and returns those
   * that earlier complete lists held and this one does not.
   */
  vanished(source: string, listed: ReadonlySet<string>): string[] {
    const known = this.bySource.get(source) ?? new Set<string>();
    const gone = [...known].filter(name => !listed.has(name)).slice(-this.maxVanished);
    this.bySource.set(source, new Set([...gone, ...listed]));
    return gone;
  }
}
