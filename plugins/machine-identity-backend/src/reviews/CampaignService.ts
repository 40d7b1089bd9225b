import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ReviewCampaign } from '@keyring/plugin-machine-identity-common';
import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../database/types';
import type { DatabaseCampaignStore } from '../database/DatabaseCampaignStore';
import { privilegedReason } from './privilegedIdentity';
import type { ReviewIdentityWriter, ReviewSettings } from './types';

const DAY_MS = 86_400_000;

/**
 * Opens ownership review campaigns: one per owning Group, holding every
 * active identity the Group owns at opening (orphans go to the fallback
 * Group's campaign). Opening closes the Group's unfinished campaign, marks its
 * identities `due` and is audited, all in one transaction per Group. With
 * `reviews.requireSecondReviewer` the campaign also marks its privileged
 * identities, whose confirmation then needs two members.
 */
export class CampaignService {
  private constructor(
    private readonly store: DatabaseCampaignStore,
    private readonly audit: AuditStore,
    private readonly identities: ReviewIdentityWriter,
    private readonly settings: ReviewSettings & { everyMs: number },
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    store: DatabaseCampaignStore;
    audit: AuditStore;
    identities: ReviewIdentityWriter;
    settings: ReviewSettings & { everyMs: number };
    logger: LoggerService;
  }): CampaignService {
    return new CampaignService(options.store, options.audit, options.identities, options.settings, options.logger);
  }

  /**
   * Opens campaigns now: for `owner` only, or for every owning Group. `openedBy`
   * is the admin's user ref or `schedule`.
   */
  async open(options: { owner?: string; dueInDays?: number; openedBy: string; now?: Date }): Promise<ReviewCampaign[]> {
    const now = options.now ?? new Date();
    const owners = await this.store.transaction(tx =>
      this.store.ownersToReview(tx, { owner: options.owner, fallbackOwner: this.settings.fallbackOwner }),
    );
    if (options.owner && owners.length === 0) owners.push(options.owner);
    return this.openFor(owners, now, options);
  }

  /**
   * The scheduled run: opens a campaign for every owning Group whose latest
   * campaign opened at least `reviews.every` ago (or that never had one).
   * Safe to run on every replica and after restarts: a Group reviewed
   * recently is skipped.
   */
  async openScheduled(now: Date = new Date()): Promise<ReviewCampaign[]> {
    const openedBefore = new Date(now.getTime() - this.settings.everyMs).toISOString();
    const owners = await this.store.transaction(tx =>
      this.store.ownersToReview(tx, { fallbackOwner: this.settings.fallbackOwner, openedBefore }),
    );
    return this.openFor(owners, now, { openedBy: 'schedule' });
  }

  private async openFor(
    owners: string[],
    now: Date,
    options: { dueInDays?: number; openedBy: string },
  ): Promise<ReviewCampaign[]> {
    const started = Date.now();
    const at = now.toISOString();
    const dueInMs = options.dueInDays !== undefined ? options.dueInDays * DAY_MS : this.settings.dueInMs;
    const dueAt = new Date(now.getTime() + dueInMs).toISOString();
    const opened: ReviewCampaign[] = [];
    for (const owner of owners) {
      const campaign = await this.store.transaction(async tx => {
        const closed = await this.store.closeUnfinished(tx, owner, at);
        const result = await this.store.insertCampaign(
          tx,
          { id: randomUUID(), owner, openedAt: at, openedBy: options.openedBy, dueAt },
          { includeUnowned: owner === this.settings.fallbackOwner },
        );
        await this.identities.setCampaignReviewStatus(tx, result.campaign.id, 'due');
        const privileged = this.settings.requireSecondReviewer
          ? await this.privilegedAmong(tx, result.identityIds)
          : undefined;
        if (privileged) await this.store.markSecondReviewer(tx, result.campaign.id, privileged);
        await this.audit.append(
          [
            ...closed.map(id => ({
              at,
              actor: options.openedBy === 'schedule' ? undefined : options.openedBy,
              action: 'review-campaign-closed',
              campaignId: id,
              after: { state: 'closed', replacedBy: result.campaign.id },
              message: `Campaign for ${owner} closed: a new campaign replaces it`,
            })),
            {
              at,
              actor: options.openedBy === 'schedule' ? undefined : options.openedBy,
              action: 'review-campaign-opened',
              campaignId: result.campaign.id,
              after: { owner, total: result.identityIds.length, dueAt, ...(privileged ? { secondReviewerFor: privileged.size } : {}) },
              message: `Ownership review of ${result.identityIds.length} identities opened for ${owner}, due ${dueAt}`,
            },
          ],
          tx,
        );
        return privileged ? (await this.store.getCampaign(result.campaign.id, tx))! : result.campaign;
      });
      opened.push(campaign);
    }
    if (opened.length > 0) {
      const items = opened.reduce((n, c) => n + c.progress.total, 0);
      this.logger.info(
        `Opened ${opened.length} ownership review campaigns (${items} identities) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
    }
    return opened;
  }

  /** Privileged identities among the campaign's, with why. */
  private async privilegedAmong(
    tx: Parameters<Parameters<DatabaseCampaignStore['transaction']>[0]>[0],
    ids: string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const record of (await this.identities.readRecords(tx, ids)).values()) {
      const reason = privilegedReason(record);
      if (reason) out.set(record.id, reason);
    }
    return out;
  }
}
