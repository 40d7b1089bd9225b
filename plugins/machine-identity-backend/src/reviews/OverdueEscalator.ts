import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { ReviewCampaign } from '@keyring/plugin-machine-identity-common';
import type { AuditStore } from '../database/types';
import type { DatabaseCampaignStore } from '../database/DatabaseCampaignStore';
import type { ReviewIdentityWriter } from './types';

/** What the escalator learnt in one run. */
export interface OverdueRun {
  overdue: ReviewCampaign[];
  escalated: number;
}

/**
 * Turns open campaigns past their due date overdue: their undecided
 * identities become `overdue` (and violate `any.review-overdue` once
 * re-evaluated), and the owning Group and its parent Group get one escalation
 * through the notifications backend. The overdue transition and the claim of
 * the escalation commit together, so across replicas and reruns a campaign
 * escalates exactly once.
 */
export class OverdueEscalator {
  private constructor(
    private readonly store: DatabaseCampaignStore,
    private readonly audit: AuditStore,
    private readonly identities: ReviewIdentityWriter,
    private readonly notifications: NotificationService,
    private readonly parentOf: (groupRef: string) => Promise<string | undefined>,
    private readonly evaluate: (ids: string[], now: Date) => Promise<unknown>,
    private readonly logger: LoggerService,
    private readonly link: string,
  ) {}

  static create(options: {
    store: DatabaseCampaignStore;
    audit: AuditStore;
    identities: ReviewIdentityWriter;
    notifications: NotificationService;
    /** The Group's parent Group (catalog `spec.parent`), if any. */
    parentOf: (groupRef: string) => Promise<string | undefined>;
    /** Re-evaluates policies of identities (the `ViolationEvaluator`). */
    evaluate: (ids: string[], now: Date) => Promise<unknown>;
    logger: LoggerService;
    /** Frontend link of the campaign's Group page; `{owner}` is replaced by the Group's name. */
    link?: string;
  }): OverdueEscalator {
    return new OverdueEscalator(
      options.store,
      options.audit,
      options.identities,
      options.notifications,
      options.parentOf,
      options.evaluate,
      options.logger,
      options.link ?? '/catalog/default/group/{owner}/ownership-review',
    );
  }

  async run(now: Date = new Date()): Promise<OverdueRun> {
    const at = now.toISOString();
    const overdue: ReviewCampaign[] = [];
    let escalated = 0;
    for (const campaign of await this.store.listPastDue(at)) {
      const claimed = await this.store.transaction(async tx => {
        if (!(await this.store.markOverdue(tx, campaign.id))) return undefined;
        const ids = await this.store.undecidedIdentityIds(tx, campaign.id);
        await this.identities.setCampaignReviewStatus(tx, campaign.id, 'overdue', { undecidedOnly: true });
        const escalate = await this.store.claimEscalation(tx, campaign.id, at);
        await this.audit.append(
          [
            {
              at,
              action: 'review-campaign-overdue',
              campaignId: campaign.id,
              before: { state: 'open' },
              after: { state: 'overdue', undecided: ids.length },
              message: `Ownership review of ${campaign.owner} is overdue (due ${campaign.dueAt}): ${ids.length} identities not attested`,
            },
          ],
          tx,
        );
        return { ids, escalate };
      });
      if (!claimed) continue;
      overdue.push(campaign);
      await this.evaluate(claimed.ids, now);
      if (claimed.escalate) {
        await this.escalate(campaign, claimed.ids.length);
        escalated++;
      }
    }
    if (overdue.length > 0) {
      this.logger.info(`Marked ${overdue.length} review campaigns overdue; sent ${escalated} escalations`);
    }
    return { overdue, escalated };
  }

  private async escalate(campaign: ReviewCampaign, undecided: number) {
    try {
      const parent = await this.parentOf(campaign.owner);
      const recipients = parent ? [campaign.owner, parent] : [campaign.owner];
      const name = campaign.owner.replace(/^group:[^/]+\//, '');
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload: {
          title: `Ownership review overdue: ${name}`,
          description: `${undecided} machine identities of ${campaign.owner} were not attested by ${campaign.dueAt}. Confirm, reassign or request their revocation.`,
          link: this.link.replace('{owner}', encodeURIComponent(name)),
          severity: 'high',
          topic: 'machine-identity-review-overdue',
          scope: `machine-identity-review-${campaign.id}`,
        },
      });
    } catch (error) {
      this.logger.error(`Could not send the overdue escalation of campaign ${campaign.id}: ${error}`);
    }
  }
}
