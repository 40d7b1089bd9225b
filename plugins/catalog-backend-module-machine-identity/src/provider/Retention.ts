import type { IdentityChange } from '@keyring/plugin-machine-identity-common';

/** Gone and revoked identities stay in the catalog for `retentionMs` after `stateChangedAt`. */
export class Retention {
  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {}

  /** Whether the item is shown: active, pending revocation, or retired within the retention. */
  isVisible(item: IdentityChange): boolean {
    if (item.state !== 'gone' && item.state !== 'revoked') return true;
    return this.end(item) > this.now();
  }

  /** When a non-active item leaves the catalog (ms); an unreadable date counts from now. */
  end(item: IdentityChange): number {
    const changed = Date.parse(item.stateChangedAt);
    return (Number.isNaN(changed) ? this.now() : changed) + this.retentionMs;
  }

  /** Refs whose retention ended. */
  expired(retained: ReadonlyMap<string, number>): string[] {
    const now = this.now();
    const expired: string[] = [];
    for (const [ref, end] of retained) if (end <= now) expired.push(ref);
    return expired;
  }
}
