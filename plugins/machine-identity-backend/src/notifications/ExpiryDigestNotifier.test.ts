import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  type NotificationSendOptions,
  type NotificationService,
} from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { ExpiryDigestNotifier, readDigestSettings } from './ExpiryDigestNotifier';
import { InMemoryDigestLedger } from './InMemoryDigestLedger';
import type { DigestSource, DigestViolation, OwnerViolations } from './types';

const DAY = 86_400_000;
const NOW = new Date('2026-11-20T08:00:00.000Z');
const iso = (days: number, from = NOW) => new Date(from.getTime() + days * DAY).toISOString();

const PAYMENTS = 'group:default/payments';
const SECURITY = 'group:default/security';

function group(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: members.map(m => ({ type: 'hasMember', targetRef: `user:default/${m}` })),
  };
}

function user(name: string, groupName: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [groupName] },
    relations: [{ type: 'memberOf', targetRef: `group:default/${groupName}` }],
  };
}

/** `count` expiring certificates of payments, soonest first; the first expires in `firstDaysLeft` days. */
function expiringCertificates(
  count: number,
  firstDaysLeft: number,
  detectedDaysAgo: number,
  now = NOW,
): DigestViolation[] {
  return Array.from({ length: count }, (_, i) => ({
    identityId: `cert-${i}`,
    displayName: `host-${i}.payments.example.test`,
    type: 'tls-certificate' as const,
    ruleId: 'tls.expiry',
    severity: firstDaysLeft + i <= 7 ? ('error' as const) : ('warning' as const),
    message: `Expires in ${firstDaysLeft + i} days`,
    firstDetected: iso(-detectedDaysAgo, now),
    notAfter: iso(firstDaysLeft + i, now),
  }));
}

/** A DigestSource over a fixed list, as the inventory store would answer it. */
class StaticDigestSource implements DigestSource {
  calls: Array<{ minSeverity: string; limitPerOwner: number }> = [];
  constructor(public owners: OwnerViolations[]) {}
  async listOpenViolationsByOwner(options: { minSeverity: 'error' | 'warning' | 'info'; limitPerOwner: number }) {
    this.calls.push(options);
    return this.owners.map(o => ({ ...o, violations: o.violations.slice(0, options.limitPerOwner) }));
  }
}

function ownerOf(owner: string, violations: DigestViolation[]): OwnerViolations {
  return {
    owner,
    identityCount: new Set(violations.map(v => v.identityId)).size,
    violationCount: violations.length,
    violations,
  };
}

describe('ExpiryDigestNotifier with the real notifications backend', () => {
  it('sends one digest per owner for many certificates, once a day, and escalates to the security group', async () => {
    let notifications: NotificationService | undefined;
    const capture = createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerInit({
          deps: { notifications: notificationService },
          async init(deps) {
            notifications = deps.notifications;
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        import('@backstage/plugin-notifications-backend'),
        mockServices.rootConfig.factory({ data: { app: { baseUrl: 'http://localhost:3000' } } }),
        capture,
        catalogServiceMock.factory({
          entities: [
            group('payments', ['alice', 'bob']),
            group('security', ['carol']),
            user('alice', 'payments'),
            user('bob', 'payments'),
            user('carol', 'security'),
          ],
        }),
      ],
    });
    try {
      const inbox = async (who: string) => {
        const res = await request(backend.server)
          .get('/api/notifications/notifications')
          .set('Authorization', mockCredentials.user.header(`user:default/${who}`));
        expect(res.status).toBe(200);
        return res.body.notifications as Array<{ payload: Record<string, any> }>;
      };

      // 25 certificates expiring in 10..34 days, all first detected today: no escalation yet.
      const source = new StaticDigestSource([ownerOf(PAYMENTS, expiringCertificates(25, 10, 0))]);
      const ledger = new InMemoryDigestLedger();
      let clock = NOW;
      const notifier = ExpiryDigestNotifier.create({
        notifications: notifications!,
        source,
        ledger,
        logger: mockServices.logger.mock(),
        settings: { escalationGroup: SECURITY },
        clock: () => clock,
      });

      expect(await notifier.run()).toEqual({ owners: 1, digestsSent: 1, escalationsSent: 0, alreadySent: 0, failed: 0 });
      const [digest, ...others] = await inbox('alice');
      expect(others).toEqual([]);
      expect(digest.payload).toMatchObject({
        title: 'Keyring: 25 machine identities owned by payments need attention',
        link: '/machine-identities?owner=group%3Adefault%2Fpayments',
        severity: 'normal',
        topic: 'Machine identities',
      });
      const lines = (digest.payload.description as string).split('\n');
      expect(lines[0]).toBe('25 open violations across 25 machine identities. Most urgent first:');
      expect(lines[1]).toBe('• host-0.payments.example.test (TLS certificate): Expires in 10 days [tls.expiry]');
      expect(lines).toHaveLength(1 + 20 + 1);
      expect(lines[21]).toBe('… and 5 more on the overview page.');
      expect(await inbox('bob')).toHaveLength(1);
      expect(await inbox('carol')).toHaveLength(0);

      // Later the same day: nothing new.
      clock = new Date(NOW.getTime() + 5 * 3600_000);
      expect(await notifier.run()).toMatchObject({ digestsSent: 0, alreadySent: 1 });
      expect(await inbox('alice')).toHaveLength(1);

      // Four days later the first certificates are within 7 days, and were in earlier digests.
      clock = new Date(NOW.getTime() + 4 * DAY);
      source.owners = [ownerOf(PAYMENTS, expiringCertificates(25, 6, 4, clock))];
      expect(await notifier.run()).toEqual({ owners: 1, digestsSent: 1, escalationsSent: 1, alreadySent: 0, failed: 0 });
      const alice = await inbox('alice');
      expect(alice).toHaveLength(3);
      const escalation = alice.find(n => n.payload.title.startsWith('Escalation'))!;
      expect(escalation.payload).toMatchObject({
        title: 'Escalation: 2 machine identities owned by payments expire within 7 days and are still open',
        severity: 'high',
        link: '/machine-identities?owner=group%3Adefault%2Fpayments&expiresWithinDays=7',
      });
      expect(escalation.payload.description).toContain('host-1.payments.example.test');
      expect(escalation.payload.description).not.toContain('host-2.payments');
      const carol = await inbox('carol');
      expect(carol.map(n => n.payload.title)).toEqual([escalation.payload.title]);

      // Same day again: neither digest nor escalation repeats.
      expect(await notifier.run()).toMatchObject({ digestsSent: 0, escalationsSent: 0, alreadySent: 2 });
      expect(await inbox('alice')).toHaveLength(3);
      expect(await inbox('carol')).toHaveLength(1);

      // A restarted process with an empty ledger re-sends, but the per-owner-per-day
      // scope makes the notifications backend update the same notifications.
      const restarted = ExpiryDigestNotifier.create({
        notifications: notifications!,
        source,
        ledger: new InMemoryDigestLedger(),
        logger: mockServices.logger.mock(),
        settings: { escalationGroup: SECURITY },
        clock: () => clock,
      });
      expect(await restarted.run()).toMatchObject({ digestsSent: 1, escalationsSent: 1 });
      expect(await inbox('alice')).toHaveLength(3);
      expect(await inbox('carol')).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });
});

/** A NotificationService double that records what it is asked to send (the real one is tested above). */
class RecordingNotificationService implements NotificationService {
  sent: NotificationSendOptions[] = [];
  failNext = 0;
  async send(options: NotificationSendOptions) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('notifications backend unavailable');
    }
    this.sent.push(options);
  }
}

describe('ExpiryDigestNotifier', () => {
  const setup = (owners: OwnerViolations[], settings = {}) => {
    const notifications = new RecordingNotificationService();
    const source = new StaticDigestSource(owners);
    const ledger = new InMemoryDigestLedger();
    const notifier = ExpiryDigestNotifier.create({
      notifications,
      source,
      ledger,
      logger: mockServices.logger.mock(),
      settings,
      clock: () => NOW,
    });
    return { notifications, source, ledger, notifier };
  };

  it('sends one digest to each owner, addressed to the owning Group entity', async () => {
    const { notifier, notifications } = setup([
      ownerOf(PAYMENTS, expiringCertificates(3, 20, 0)),
      ownerOf('group:default/search', expiringCertificates(1, 25, 0)),
      ownerOf('group:default/empty', []),
    ]);
    expect((await notifier.run()).digestsSent).toBe(2);
    expect(notifications.sent.map(s => s.recipients)).toEqual([
      { type: 'entity', entityRef: PAYMENTS },
      { type: 'entity', entityRef: 'group:default/search' },
    ]);
    expect(notifications.sent[0].payload.scope).toBe(`machine-identity:digest:${PAYMENTS}:2026-11-20`);
  });

  it('marks a digest with errors as high severity', async () => {
    const { notifier, notifications } = setup([ownerOf(PAYMENTS, expiringCertificates(2, 5, 0))]);
    await notifier.run();
    expect(notifications.sent[0].payload.severity).toBe('high');
    expect(notifications.sent[0].payload.description).toContain('(2 errors among the most urgent)');
  });

  it('does not escalate what was first detected less than a day ago', async () => {
    const { notifier, notifications } = setup([ownerOf(PAYMENTS, expiringCertificates(2, 3, 0.5))], { escalationGroup: SECURITY });
    expect((await notifier.run()).escalationsSent).toBe(0);
    expect(notifications.sent).toHaveLength(1);
  });

  it('escalates expired identities as critical to the owner and the escalation group', async () => {
    const { notifier, notifications } = setup([ownerOf(PAYMENTS, expiringCertificates(3, -2, 20))], { escalationGroup: SECURITY });
    await notifier.run();
    const escalation = notifications.sent[1];
    expect(escalation.recipients).toEqual({ type: 'entity', entityRef: [PAYMENTS, SECURITY] });
    expect(escalation.payload.severity).toBe('critical');
    expect(escalation.payload.title).toBe(
      'Escalation: 3 machine identities owned by payments expired or expire within 7 days and are still open',
    );
    expect(escalation.payload.description).toContain('(2 already expired)');
  });

  it('gives the claim back when sending fails, so the next run retries', async () => {
    const { notifier, notifications, ledger } = setup([ownerOf(PAYMENTS, expiringCertificates(1, 20, 0))]);
    notifications.failNext = 1;
    expect(await notifier.run()).toMatchObject({ digestsSent: 0, failed: 1 });
    expect(ledger.size).toBe(0);
    expect(await notifier.run()).toMatchObject({ digestsSent: 1, failed: 0 });
    expect(notifications.sent).toHaveLength(1);
  });

  it('survives a failing source without throwing', async () => {
    const { notifier, source, notifications } = setup([]);
    source.listOpenViolationsByOwner = async () => {
      throw new Error('database is down');
    };
    expect(await notifier.run()).toMatchObject({ failed: 1, digestsSent: 0 });
    expect(notifications.sent).toEqual([]);
  });

  it('asks the source for the configured minimum severity', async () => {
    const { notifier, source } = setup([], { minSeverity: 'error' });
    await notifier.run();
    expect(source.calls[0].minSeverity).toBe('error');
  });

  it('reads machineIdentity.notifications and rejects bad values', () => {
    expect(
      readDigestSettings(new ConfigReader({ machineIdentity: { notifications: { escalationGroup: SECURITY, maxItems: 5 } } })),
    ).toEqual({ minSeverity: 'warning', maxItems: 5, escalationDays: 7, escalationGroup: SECURITY, overviewPath: '/machine-identities' });
    expect(() => readDigestSettings(new ConfigReader({ machineIdentity: { notifications: { minSeverity: 'loud' } } }))).toThrow(/minSeverity/);
    expect(() => readDigestSettings(new ConfigReader({ machineIdentity: { notifications: { maxItems: 0 } } }))).toThrow(/maxItems/);
  });
});
