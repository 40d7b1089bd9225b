import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Severity } from '@keyring/plugin-machine-identity-common';
import type {
  DigestKind,
  DigestLedger,
  DigestRunSummary,
  DigestSource,
  DigestViolation,
  OwnerViolations,
} from './types';

const DAY_MS = 86_400_000;
const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

/** Settings of the notifier, from `machineIdentity.notifications`. */
export interface ExpiryDigestSettings {
  /** Lowest severity a digest lists (default `warning`). */
  minSeverity: Severity;
  /** Violations listed per digest; the rest are counted (default 20). */
  maxItems: number;
  /** An identity this close to expiry (or past it) and still open escalates (default 7). */
  escalationDays: number;
  /** Group that receives escalations besides the owner, e.g. `group:default/security`. */
  escalationGroup?: string;
  /** Path of the overview page the notifications link to (default `/machine-identities`). */
  overviewPath: string;
}

/** Defaults of {@link ExpiryDigestSettings}. */
export const DEFAULT_DIGEST_SETTINGS: ExpiryDigestSettings = {
  minSeverity: 'warning',
  maxItems: 20,
  escalationDays: 7,
  overviewPath: '/machine-identities',
};

/** Collaborators of {@link ExpiryDigestNotifier}. */
export interface ExpiryDigestNotifierOptions {
  notifications: NotificationService;
  source: DigestSource;
  ledger: DigestLedger;
  logger: LoggerService;
  settings?: Partial<ExpiryDigestSettings>;
  /** Injected clock (default: the wall clock). */
  clock?: () => Date;
}

/** Reads `machineIdentity.notifications` (every key optional). */
export function readDigestSettings(config: Config): ExpiryDigestSettings {
  const c = config.getOptionalConfig('machineIdentity.notifications');
  if (!c) {
    return { ...DEFAULT_DIGEST_SETTINGS };
  }
  const minSeverity = c.getOptionalString('minSeverity') ?? DEFAULT_DIGEST_SETTINGS.minSeverity;
  if (!SEVERITIES.includes(minSeverity as Severity)) {
    throw new InputError(
      `machineIdentity.notifications.minSeverity must be one of ${SEVERITIES.join(', ')}, got ${minSeverity}`,
    );
  }
  const settings: ExpiryDigestSettings = {
    minSeverity: minSeverity as Severity,
    maxItems: c.getOptionalNumber('maxItems') ?? DEFAULT_DIGEST_SETTINGS.maxItems,
    escalationDays: c.getOptionalNumber('escalationDays') ?? DEFAULT_DIGEST_SETTINGS.escalationDays,
    escalationGroup: c.getOptionalString('escalationGroup'),
    overviewPath: c.getOptionalString('overviewPath') ?? DEFAULT_DIGEST_SETTINGS.overviewPath,
  };
  if (!(settings.maxItems >= 1) || !(settings.escalationDays >= 0)) {
    throw new InputError(
      'machineIdentity.notifications.maxItems must be at least 1 and escalationDays not negative',
    );
  }
  return settings;
}

/** `group:default/payments` → `payments`. */
function shortRef(ref: string): string {
  return ref.replace(/^[^:]+:/, '').replace(/^default\//, '');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

function identities(n: number): string {
  return plural(n, 'machine identity', 'machine identities');
}

const TYPE_LABELS: Record<string, string> = {
  'tls-certificate': 'TLS certificate',
  'ssh-key': 'SSH key',
  'api-token': 'API token',
  'service-account': 'service account',
  'workload-identity': 'workload identity',
};

function line(v: DigestViolation): string {
  return `• ${v.displayName} (${TYPE_LABELS[v.type] ?? v.type}): ${v.message} [${v.ruleId}]`;
}

/**
 * Sends each owning Group ONE digest per day of its expiring and violating
 * machine identities through Backstage's notifications plugin (recipients
 * `{ type: 'entity', entityRef: owner }`, so the notifications backend
 * resolves the Group's members), instead of a message per certificate.
 *
 * When an identity comes within `escalationDays` (7) of expiry, or is past
 * it, and its violations were already open a day earlier — so at least one
 * digest told the owner and nothing was done — the owner and the configured
 * escalation Group get a second, `high` severity notification (once per
 * owner per day).
 *
 * Idempotent per owner, day (UTC) and kind through the {@link DigestLedger};
 * the notification `scope` is per owner and day too, so even a repeated send
 * updates the same notification instead of adding one. Safe to run hourly.
 */
export class ExpiryDigestNotifier {
  private readonly settings: ExpiryDigestSettings;
  private readonly clock: () => Date;

  private constructor(private readonly options: ExpiryDigestNotifierOptions) {
    this.settings = { ...DEFAULT_DIGEST_SETTINGS, ...options.settings };
    this.clock = options.clock ?? (() => new Date());
  }

  /** Creates a notifier with explicit settings. */
  static create(options: ExpiryDigestNotifierOptions): ExpiryDigestNotifier {
    return new ExpiryDigestNotifier(options);
  }

  /** Creates a notifier with settings from `machineIdentity.notifications`. */
  static fromConfig(
    config: Config,
    options: Omit<ExpiryDigestNotifierOptions, 'settings'>,
  ): ExpiryDigestNotifier {
    return new ExpiryDigestNotifier({ ...options, settings: readDigestSettings(config) });
  }

  /** One pass over every owner. Never throws: failures are logged and counted. */
  async run(): Promise<DigestRunSummary> {
    const { source, logger } = this.options;
    const now = this.clock();
    const day = now.toISOString().slice(0, 10);
    const summary: DigestRunSummary = {
      owners: 0,
      digestsSent: 0,
      escalationsSent: 0,
      alreadySent: 0,
      failed: 0,
    };
    let owners: OwnerViolations[];
    try {
      owners = await source.listOpenViolationsByOwner({
        minSeverity: this.settings.minSeverity,
        limitPerOwner: Math.max(this.settings.maxItems, 200),
      });
    } catch (error) {
      logger.error(`Could not read open violations for the expiry digest: ${error}`);
      summary.failed++;
      return summary;
    }
    for (const owner of owners) {
      if (owner.violations.length === 0) {
        continue;
      }
      summary.owners++;
      const digest = await this.sendOnce(owner.owner, day, 'digest', owner.violationCount, now, () =>
        this.digestPayload(owner, day),
      );
      this.count(summary, digest, 'digestsSent');
      const urgent = this.escalationCandidates(owner.violations, now);
      if (urgent.length > 0) {
        const escalation = await this.sendOnce(owner.owner, day, 'escalation', urgent.length, now, () =>
          this.escalationPayload(owner.owner, urgent, day, now),
        );
        this.count(summary, escalation, 'escalationsSent');
      }
    }
    logger.info(
      `Expiry digest for ${day}: ${plural(summary.digestsSent, 'digest')} and ${plural(summary.escalationsSent, 'escalation')} sent to ${plural(summary.owners, 'owner')} (${summary.alreadySent} already sent today, ${summary.failed} failed)`,
    );
    return summary;
  }

  private count(
    summary: DigestRunSummary,
    outcome: 'sent' | 'already-sent' | 'failed',
    field: 'digestsSent' | 'escalationsSent',
  ) {
    if (outcome === 'sent') {
      summary[field]++;
    } else if (outcome === 'already-sent') {
      summary.alreadySent++;
    } else {
      summary.failed++;
    }
  }

  private async sendOnce(
    owner: string,
    day: string,
    kind: DigestKind,
    itemCount: number,
    now: Date,
    build: () => { recipients: string[]; payload: Parameters<NotificationService['send']>[0]['payload'] },
  ): Promise<'sent' | 'already-sent' | 'failed'> {
    const { ledger, notifications, logger } = this.options;
    const claim = { owner, day, kind };
    try {
      if (!(await ledger.claim({ ...claim, itemCount, at: now.toISOString() }))) {
        return 'already-sent';
      }
    } catch (error) {
      logger.error(`Could not record the ${kind} for ${owner} on ${day}: ${error}`);
      return 'failed';
    }
    try {
      const { recipients, payload } = build();
      await notifications.send({
        recipients: { type: 'entity', entityRef: recipients.length === 1 ? recipients[0] : recipients },
        payload,
      });
      return 'sent';
    } catch (error) {
      logger.error(`Could not send the ${kind} to ${owner}: ${error}`);
      await ledger.release(claim).catch(e =>
        logger.error(`Could not release the ${kind} claim for ${owner} on ${day}: ${e}`),
      );
      return 'failed';
    }
  }

  private link(owner: string, extra = ''): string {
    return `${this.settings.overviewPath}?owner=${encodeURIComponent(owner)}${extra}`;
  }

  private digestPayload(owner: OwnerViolations, day: string) {
    const { maxItems } = this.settings;
    const errors = owner.violations.filter(v => v.severity === 'error').length;
    const listed = owner.violations.slice(0, maxItems);
    const rest = owner.violationCount - listed.length;
    const description = [
      `${plural(owner.violationCount, 'open violation')} across ${identities(owner.identityCount)}${errors ? ` (${plural(errors, 'error')} among the most urgent)` : ''}. Most urgent first:`,
      ...listed.map(line),
      ...(rest > 0 ? [`… and ${rest.toLocaleString('en-US')} more on the overview page.`] : []),
    ].join('\n');
    return {
      recipients: [owner.owner],
      payload: {
        title: `Keyring: ${identities(owner.identityCount)} owned by ${shortRef(owner.owner)} need attention`,
        description,
        link: this.link(owner.owner),
        severity: errors > 0 ? ('high' as const) : ('normal' as const),
        topic: 'Machine identities',
        scope: `machine-identity:digest:${owner.owner}:${day}`,
        metadata: {
          owner: owner.owner,
          day,
          identities: owner.identityCount,
          violations: owner.violationCount,
        },
      },
    };
  }

  /**
   * Identities within `escalationDays` of expiry (or expired) whose oldest
   * listed violation is at least a day old: the owner has had a digest.
   */
  private escalationCandidates(violations: DigestViolation[], now: Date): DigestViolation[] {
    const nowMs = now.getTime();
    const oldest = new Map<string, number>();
    for (const v of violations) {
      const detected = Date.parse(v.firstDetected);
      const seen = oldest.get(v.identityId);
      if (seen === undefined || detected < seen) {
        oldest.set(v.identityId, detected);
      }
    }
    const picked = new Map<string, DigestViolation>();
    for (const v of violations) {
      const notAfter = v.notAfter ? Date.parse(v.notAfter) : NaN;
      if (
        Number.isNaN(notAfter) ||
        notAfter - nowMs > this.settings.escalationDays * DAY_MS ||
        nowMs - oldest.get(v.identityId)! < DAY_MS
      ) {
        continue;
      }
      const current = picked.get(v.identityId);
      if (!current || (v.severity === 'error' && current.severity !== 'error')) {
        picked.set(v.identityId, v);
      }
    }
    return [...picked.values()].sort((a, b) => Date.parse(a.notAfter!) - Date.parse(b.notAfter!));
  }

  private escalationPayload(owner: string, urgent: DigestViolation[], day: string, now: Date) {
    const { escalationDays, escalationGroup, maxItems } = this.settings;
    const expired = urgent.filter(v => Date.parse(v.notAfter!) < now.getTime()).length;
    const listed = urgent.slice(0, maxItems);
    return {
      recipients: escalationGroup && escalationGroup !== owner ? [owner, escalationGroup] : [owner],
      payload: {
        title: `Escalation: ${identities(urgent.length)} owned by ${shortRef(owner)} ${expired ? `expired or expire` : 'expire'} within ${escalationDays} days and are still open`,
        description: [
          `These were in an earlier Keyring digest to ${shortRef(owner)} and are still not renewed or waived${expired ? ` (${expired} already expired)` : ''}:`,
          ...listed.map(line),
          ...(urgent.length > listed.length ? [`… and ${urgent.length - listed.length} more.`] : []),
        ].join('\n'),
        link: this.link(owner, `&expiresWithinDays=${escalationDays}`),
        severity: expired ? ('critical' as const) : ('high' as const),
        topic: 'Machine identities',
        scope: `machine-identity:escalation:${owner}:${day}`,
        metadata: { owner, day, escalated: urgent.length, expired },
      },
    };
  }
}
