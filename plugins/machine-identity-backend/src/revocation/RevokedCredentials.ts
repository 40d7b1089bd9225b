/**
 * When each identity's revocation was verified (the credential confirmed
 * gone), held in memory so policy evaluation inside a scan's write can ask
 * synchronously. Loaded from the database at start and on every revocation
 * pass (other replicas' verifications), updated at once on this replica's.
 */
export class RevokedCredentials {
  private verifiedAt = new Map<string, string>();

  static create(): RevokedCredentials {
    return new RevokedCredentials();
  }

  /** The verification time of the identity's revocation, if one was verified. */
  readonly get = (identityId: string): string | undefined => this.verifiedAt.get(identityId);

  /** Records a verification. */
  set(identityId: string, at: string): void {
    this.verifiedAt.set(identityId, at);
  }

  /** Replaces the cache with the database's view. */
  replace(verifiedAt: Map<string, string>): void {
    this.verifiedAt = verifiedAt;
  }
}
