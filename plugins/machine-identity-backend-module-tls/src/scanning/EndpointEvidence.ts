/**
 * Collects the answers of the handshakes tried on each endpoint (one per SNI
 * name, and again when targets overlap) so that an endpoint is reported as
 * covered only when every answer was definite: a refused connection or a chain
 * read completely. One answer without evidence (a timeout, a failed
 * handshake, a malformed certificate) keeps the endpoint uncovered, so what
 * was seen there before is kept.
 */
export class EndpointEvidence {
  private readonly definite = new Map<string, boolean>();

  /** Records one handshake's answer on `location`. */
  answer(location: string, definite: boolean): void {
    this.definite.set(location, (this.definite.get(location) ?? true) && definite);
  }

  /** Reports every endpoint whose answers were all definite; returns how many. */
  report(onCovered: (location: string) => void): number {
    let covered = 0;
    for (const [location, definite] of this.definite) {
      if (!definite) continue;
      onCovered(location);
      covered++;
    }
    return covered;
  }
}
