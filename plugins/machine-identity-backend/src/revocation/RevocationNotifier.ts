import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { RevocationRequest } from '@keyring/plugin-machine-identity-common';

/** Topic of every revocation notification (users can mute it as one). */
export const REVOCATION_TOPIC = 'machine-identity-revocation';

const SEVERITY: Partial<Record<RevocationRequest['state'], 'high' | 'normal' | 'low'>> = {
  requested: 'normal',
  failed: 'high',
  manual: 'high',
  expired: 'low',
};

/** Entity refs only: `plugin:` and service subjects are not notification recipients. */
function recipientsOf(request: RevocationRequest): string[] {
  const refs = [request.requestedBy, request.decidedBy, request.owner];
  return [...new Set(refs.filter((r): r is string => !!r && /^(user|group):/.test(r)))];
}

/**
 * Tells the requester, the approver and the identity's owner about each
 * transition through the notifications backend. A failed send is logged,
 * never thrown: the transition and its audit event are already committed.
 */
export class RevocationNotifier {
  private constructor(
    private readonly notifications: NotificationService,
    private readonly logger: LoggerService,
    private readonly basePath: string,
  ) {}

  static create(options: { notifications: NotificationService; logger: LoggerService; basePath?: string }) {
    return new RevocationNotifier(options.notifications, options.logger, options.basePath ?? '/machine-identity/decommissioning');
  }

  /** A notice for an owner only (a shared credential flagged instead of revoked). */
  async notifyOwner(owner: string | undefined, title: string, description: string): Promise<void> {
    if (!owner) return;
    try {
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: owner },
        payload: { title, description, link: this.basePath, severity: 'normal', topic: REVOCATION_TOPIC },
      });
    } catch (error) {
      this.logger.warn(`Could not notify ${owner}: ${error}`);
    }
  }

  async notify(request: RevocationRequest, message: string): Promise<void> {
    const recipients = recipientsOf(request);
    if (recipients.length === 0) return;
    const name = request.identityDisplayName ?? request.identityId;
    try {
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload: {
          title: `Revocation ${request.state}: ${name}`,
          description: message,
          link: `${this.basePath}?request=${encodeURIComponent(request.id)}`,
          severity: SEVERITY[request.state] ?? 'normal',
          topic: REVOCATION_TOPIC,
          scope: `revocation:${request.id}`,
        },
      });
    } catch (error) {
      this.logger.warn(`Could not notify ${recipients.join(', ')} that revocation ${request.id} is ${request.state}: ${error}`);
    }
  }
}
