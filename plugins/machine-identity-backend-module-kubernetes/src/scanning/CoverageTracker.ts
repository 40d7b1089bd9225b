/**
 * Works out which places a completely listed resource covers (see
 * `ScannerContext.reportCovered`). A namespace whose objects were all
 * well-formed is covered whole (`cluster/ns/Secret/`); in a namespace that
 * held a malformed object only the well-formed objects are covered one by one
 * (`cluster/ns/Secret/name/`), so what was seen in the malformed one is kept.
 * Memory: the names of one namespace at a time, plus the names of
 * namespaces that held malformed objects.
 */
export class CoverageTracker {
  private currentNamespace: string | undefined;
  private currentNames: string[] = [];
  private currentMalformed = false;
  private readonly clean = new Set<string>();
  private readonly partial = new Map<string, string[]>();
  private malformedSeen = false;

  constructor(
    private readonly cluster: string,
    private readonly kind: string,
  ) {}

  /** Records one listed object (`namespace` is `-` for cluster-scoped kinds). */
  saw(namespace: string, name: string, wellFormed: boolean) {
    if (namespace !== this.currentNamespace) this.closeNamespace(namespace);
    if (wellFormed) this.currentNames.push(name);
    else this.currentMalformed = this.malformedSeen = true;
  }

  /** Whether a malformed object was recorded. */
  get heldMalformed(): boolean {
    return this.malformedSeen;
  }

  private closeNamespace(next: string | undefined) {
    const ns = this.currentNamespace;
    if (ns !== undefined) {
      if (this.currentMalformed) this.partial.set(ns, [...(this.partial.get(ns) ?? []), ...this.currentNames]);
      else if (!this.partial.has(ns)) this.clean.add(ns);
    }
    this.currentNamespace = next;
    this.currentNames = [];
    this.currentMalformed = false;
  }

  /**
   * Scopes covered once the list completed: every namespace in `namespaces`
   * (those the cluster has, or those configured) and every one objects were
   * seen in.
   */
  scopes(namespaces: Iterable<string>): string[] {
    this.closeNamespace(undefined);
    const scopes: string[] = [];
    for (const ns of new Set([...namespaces, ...this.clean])) {
      if (!this.partial.has(ns)) scopes.push(`${this.cluster}/${ns}/${this.kind}/`);
    }
    for (const [ns, names] of this.partial) {
      for (const name of names) scopes.push(`${this.cluster}/${ns}/${this.kind}/${name}/`, `${this.cluster}/${ns}/${this.kind}/${name}`);
    }
    return scopes;
  }
}
