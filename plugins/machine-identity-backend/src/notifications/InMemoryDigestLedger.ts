import type { DigestClaim, DigestLedger } from './types';

/**
 * A {@link DigestLedger} kept in memory: correct for one process, forgotten
 * on restart. For tests and single-replica development; production uses the
 * backend store's table.
 */
export class InMemoryDigestLedger implements DigestLedger {
  private readonly claims = new Map<string, { itemCount: number; at: string }>();

  private static key(claim: DigestClaim): string {
    return `${claim.kind}\u0000${claim.day}\u0000${claim.owner}`;
  }

  async claim(claim: DigestClaim & { itemCount: number; at: string }): Promise<boolean> {
    const key = InMemoryDigestLedger.key(claim);
    if (this.claims.has(key)) {
      return false;
    }
    this.claims.set(key, { itemCount: claim.itemCount, at: claim.at });
    return true;
  }

  async release(claim: DigestClaim): Promise<void> {
    this.claims.delete(InMemoryDigestLedger.key(claim));
  }

  /** Number of claims held (for tests). */
  get size(): number {
    return this.claims.size;
  }
}
