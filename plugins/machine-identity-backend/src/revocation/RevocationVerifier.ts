import type { LoggerService } from '@backstage/backend-plugin-api';
import type { RevocationNotifier } from './RevocationNotifier';
import type { RevokedCredentials } from './RevokedCredentials';
import { stillAtPlaces } from './placeOf';
import type { RevocationStore } from './types';

/** What the verifier needs to know about a finished scan. */
export interface FinishedScan {
  sourceId: string;
  status: 'succeeded' | 'partial' | 'failed';
  touchedIds: string[];
}

/**
 * Closes executed revocations and manual tasks as `verified` once complete
 * scans no longer see the credential at any place it was revoked from, and
 * marks verified credentials seen again (`any.revoked-reappeared`).
 */
export class RevocationVerifier {
  private constructor(
    private readonly store: RevocationStore,
    private readonly notifier: RevocationNotifier,
    private readonly logger: LoggerService,
    private readonly clock: () => Date,
    private readonly revoked?: RevokedCredentials,
  ) {}

  static create(options: {
    store: RevocationStore;
    notifier: RevocationNotifier;
    logger: LoggerService;
    clock?: () => Date;
    /** Told of each verification, so policy evaluation sees `revokedAt` at once. */
    revoked?: RevokedCredentials;
  }) {
    return new RevocationVerifier(options.store, options.notifier, options.logger, options.clock ?? (() => new Date()), options.revoked);
  }

  /** Runs after each scan. Only a succeeded scan can verify (a partial one may have missed the credential). */
  async afterScan(scan: FinishedScan): Promise<{ verified: number; reappeared: number }> {
    let verified = 0;
    if (scan.status === 'succeeded') {
      const waiting = await this.store.listInStates(['executed', 'manual']);
      for (const request of waiting) {
        if (!request.places.some(p => p.sourceId === scan.sourceId)) continue;
        const active = await this.store.getActiveObservations(request.identityId);
        const remaining = stillAtPlaces(request.places, active);
        if (remaining.length > 0) continue;
        const now = this.clock().toISOString();
        const done = await this.store.transition({
          id: request.id,
          from: ['executed', 'manual'],
          to: 'verified',
          patch: { verifiedAt: now },
          audit: { message: `Verified: scan of ${scan.sourceId} no longer sees the credential at ${request.places.map(p => p.location).join(', ')}` },
          now,
        });
        if (done) {
          verified++;
          this.revoked?.set(done.identityId, now);
          await this.notifier.notify(done, 'A re-scan confirmed the credential is gone from every place it was revoked from.');
        }
      }
    }
    const reappeared = await this.checkReappeared(scan);
    if (verified + reappeared > 0) {
      this.logger.info(`Scan of ${scan.sourceId}: ${verified} revocations verified, ${reappeared} revoked credentials seen again`);
    }
    return { verified, reappeared };
  }

  private async checkReappeared(scan: FinishedScan): Promise<number> {
    if (scan.touchedIds.length === 0) return 0;
    let count = 0;
    const verifiedRequests = await this.store.listInStates(['verified'], scan.touchedIds);
    for (const request of verifiedRequests) {
      if (request.reappearedAt || !request.verifiedAt) continue;
      const active = await this.store.getActiveObservations(request.identityId);
      const seenAgain = active.filter(o => o.lastSeen > request.verifiedAt!);
      if (seenAgain.length === 0) continue;
      const now = this.clock().toISOString();
      const where = seenAgain.map(o => o.location).join(', ');
      await this.store.markReappeared(request.id, { message: `Revoked credential seen again at ${where} (any.revoked-reappeared)` }, now);
      await this.notifier.notify(
        { ...request, reappearedAt: now },
        `The credential revoked by request ${request.id} is back at ${where}. Find who restored it and revoke it again.`,
      );
      count++;
    }
    return count;
  }
}
